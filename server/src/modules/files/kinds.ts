/** What may be uploaded as each kind of file, and how much. Modules choose a kind per upload. */
export interface FileKind {
  name: string;
  /** Sniffed types accepted, by MIME. */
  types: string[];
  maxBytes: number;
  /** Most files of this kind one owner may have. */
  maxPerOwner: number;
  /** Images are decoded and re-encoded into these variants; other files are stored as they are. */
  images: boolean;
  /** Members' uploads of this kind wait for a moderator before anyone else sees them. */
  reviewed: boolean;
  /** Whose files these may be: members' own, organizations', or the installation's (catalog images). */
  owners: Array<'person' | 'organization' | 'platform'>;
}

const IMAGES = ['image/jpeg', 'image/png', 'image/webp', 'image/gif', 'image/heic', 'image/avif'];

export const FILE_KINDS: Record<string, FileKind> = {
  photo: { name: 'photo', types: IMAGES, maxBytes: 15 * 1024 * 1024, maxPerOwner: 50, images: true, reviewed: true, owners: ['person', 'organization'] },
  document: {
    name: 'document',
    types: ['application/pdf', 'image/jpeg', 'image/png', 'image/webp'],
    maxBytes: 20 * 1024 * 1024,
    maxPerOwner: 100,
    images: false,
    reviewed: false,
    owners: ['person', 'organization'],
  },
  video: {
    name: 'video',
    types: ['video/mp4', 'video/quicktime', 'video/webm'],
    maxBytes: 200 * 1024 * 1024,
    maxPerOwner: 20,
    images: false,
    reviewed: true,
    owners: ['person', 'organization'],
  },
  /** Pictures sent in chat conversations: re-encoded like photos, seen only by the conversation's participants and staff. */
  chat: { name: 'chat', types: IMAGES, maxBytes: 15 * 1024 * 1024, maxPerOwner: 100_000, images: true, reviewed: false, owners: ['person', 'platform'] },
  /** Pictures of the installation's own catalogs (gifts), uploaded by staff. */
  catalog: { name: 'catalog', types: IMAGES, maxBytes: 5 * 1024 * 1024, maxPerOwner: 10_000, images: true, reviewed: false, owners: ['platform'] },
};

/** Largest decoded image accepted, in pixels (about 7000×7000): bigger ones are refused before decoding. */
export const MAX_IMAGE_PIXELS = 50_000_000;

/** Variants of every image: long side in pixels. */
export const IMAGE_VARIANTS = { thumbnail: 320, medium: 1280, original: 4096 } as const;

import { Type } from '@sinclair/typebox';
import { Page } from '../../../core/http/pagination.ts';
import type { Kernel } from '../../../core/kernel.ts';
import { defineCodes } from '../../../core/labels.ts';
import { Nullable } from '../../../core/schemas.ts';
import { fileService } from '../../files/index.ts';
import { FileView } from '../../files/views.ts';
import type { StoredFile } from '../../files/service.ts';
import { realtimeHub } from '../../../core/realtime/hub.ts';
import { getPeople } from '../../people/people.ts';
import { findStreamer } from '../streamers/service.ts';
import { feedStreamers, galleryChoices, PHOTO, visibleMember } from './service.ts';

/** The photos a person's profile shows on top. */
export const PhotoSlots = defineCodes('photo_slot', {
  cover: { en: 'cover', ru: 'обложка' },
  profile: { en: 'profile', ru: 'профиль' },
});

export const Gallery = Type.Object({
  ...Page(FileView).properties,
  coverFileId: Nullable(Type.String({ description: 'The cover photo, when chosen and still approved' })),
  profileFileId: Nullable(Type.String({ description: 'The profile photo, when chosen and still approved' })),
});
const PhotoUrls = {
  coverUrl: Nullable(Type.String({ description: 'Signed link to the cover photo (medium), valid for an hour' })),
  profilePhotoUrl: Nullable(Type.String({ description: 'Signed link to the profile photo (medium), valid for an hour' })),
};
export const FeedItem = Type.Object({
  id: Type.String(),
  displayName: Type.String(),
  publicProfile: Type.Record(Type.String(), Type.Unknown()),
  rating: Type.Integer(),
  online: Type.Boolean(),
  ...PhotoUrls,
});
export const MemberProfile = Type.Object({
  id: Type.String(),
  displayName: Type.String(),
  publicProfile: Type.Record(Type.String(), Type.Unknown()),
  streamer: Type.Boolean(),
  online: Type.Boolean(),
  ...PhotoUrls,
});

/**
 * A person's photos with the cover and profile choice. `forOthers` keeps only approved photos (what the
 * app shows to other members); the owner and staff see every photo with its review state.
 */
export async function galleryView(kernel: Kernel, personId: string, options: { forOthers: boolean; cursor?: string; limit: number }) {
  const page = await fileService(kernel).list(
    { type: 'person', id: personId },
    { kind: PHOTO, onlyVisibleToOthers: options.forOthers, cursor: options.cursor, limit: options.limit },
  );
  const choice = (await galleryChoices(kernel, [personId])).get(personId);
  return { ...page, coverFileId: choice?.cover?.id ?? null, profileFileId: choice?.profile?.id ?? null };
}

/** Signed links to the chosen photos' medium variants, for list rows and profiles. */
async function chosenPhotoUrls(kernel: Kernel, personIds: string[]) {
  const choices = await galleryChoices(kernel, personIds);
  const service = fileService(kernel);
  const url = (file: StoredFile | null) => (file && service.view(file).urls.medium) || null;
  return (personId: string) => {
    const choice = choices.get(personId);
    return { coverUrl: url(choice?.cover ?? null), profilePhotoUrl: url(choice?.profile ?? null) };
  };
}

/** One page of the streamer feed, each streamer with their name, public profile, photos and presence. */
export async function feedPage(kernel: Kernel, viewerId: string, query: { cursor?: string; limit: number }) {
  const page = await feedStreamers(kernel.db, viewerId, query);
  const people = new Map(
    (
      await getPeople(
        kernel.db,
        page.items.map((s) => s.id),
      )
    ).map((p) => [p.id, p]),
  );
  const ids = page.items.map((s) => s.id);
  const photos = await chosenPhotoUrls(kernel, ids);
  const presence = await realtimeHub(kernel).statuses(ids);
  return {
    items: page.items.map((s) => ({
      ...s,
      displayName: people.get(s.id)?.displayName ?? '',
      publicProfile: people.get(s.id)?.publicProfile ?? {},
      ...photos(s.id),
      online: presence.get(s.id)?.online ?? false,
    })),
    nextCursor: page.nextCursor,
  };
}

/** Another member's profile as the app shows it: 404 when either blocked the other, or they are not active. */
export async function memberProfileView(kernel: Kernel, viewerId: string, personId: string) {
  const person = await visibleMember(kernel.db, viewerId, personId);
  const streamer = await findStreamer(kernel.db, personId);
  const photos = await chosenPhotoUrls(kernel, [personId]);
  return {
    id: person.id,
    displayName: person.displayName,
    publicProfile: person.publicProfile,
    streamer: streamer ? streamer.status === 'active' : false,
    online: (await realtimeHub(kernel).statuses([personId])).get(personId)?.online ?? false,
    ...photos(personId),
  };
}

import { createHash } from 'node:crypto';
import sharp, { type Metadata } from 'sharp';
import { fileTypeFromBuffer } from 'file-type';
import { posterFrame } from './poster.ts';
import { IMAGE_VARIANTS, MAX_IMAGE_PIXELS, type FileKind } from './kinds.ts';
import { FilesError } from './errors.ts';

export interface ProcessedFile {
  mime: string;
  ext: string;
  sha256: string;
  size: number;
  width?: number;
  height?: number;
  /** Bytes to store, by variant name. */
  variants: Record<string, { bytes: Buffer; mime: string; ext: string; width?: number; height?: number }>;
}

const tooLarge = (detail: string) => new FilesError('too_large', detail);

/**
 * Checks an upload by its bytes (never its name or declared type), then, for images, decodes and
 * re-encodes it: EXIF and other metadata dropped, orientation applied, a thumbnail, a medium and a
 * bounded original. Anything that is not plainly one of the kind's types is refused.
 */
export async function processUpload(bytes: Buffer, kind: FileKind): Promise<ProcessedFile> {
  if (bytes.length === 0) throw FilesError.invalid('file', 'is empty');
  if (bytes.length > kind.maxBytes) throw tooLarge(`A ${kind.name} may be at most ${Math.round(kind.maxBytes / 1024 / 1024)} MB.`);
  const sniffed = await fileTypeFromBuffer(bytes);
  if (!sniffed || !kind.types.includes(sniffed.mime)) {
    throw new FilesError(
      'unsupported_type',
      `A ${kind.name} must be one of: ${kind.types.join(', ')}; this file ${sniffed ? `is ${sniffed.mime}` : 'is of no recognised type'}.`,
    );
  }
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  if (sniffed.mime.startsWith('video/'))
    return withPoster({
      mime: sniffed.mime,
      ext: sniffed.ext,
      sha256,
      size: bytes.length,
      variants: { original: { bytes, mime: sniffed.mime, ext: sniffed.ext } },
    });
  if (!sniffed.mime.startsWith('image/')) {
    return { mime: sniffed.mime, ext: sniffed.ext, sha256, size: bytes.length, variants: { original: { bytes, mime: sniffed.mime, ext: sniffed.ext } } };
  }
  const metadata = await imageHeader(bytes);
  const image = () => sharp(bytes, { limitInputPixels: MAX_IMAGE_PIXELS, failOn: 'error', animated: false });
  if (!kind.images) return withPreview(bytes, image, { mime: sniffed.mime, ext: sniffed.ext, sha256, metadata });

  const variants: ProcessedFile['variants'] = {};
  try {
    for (const [name, side] of Object.entries(IMAGE_VARIANTS)) {
      const pipeline = image().rotate().resize({ width: side, height: side, fit: 'inside', withoutEnlargement: true });
      const encoded =
        name === 'original' && sniffed.mime === 'image/png' ? pipeline.png() : pipeline.jpeg({ quality: name === 'thumbnail' ? 75 : 85, mozjpeg: true });
      const { data, info } = await encoded.toBuffer({ resolveWithObject: true });
      const png = info.format === 'png';
      variants[name] = { bytes: data, mime: png ? 'image/png' : 'image/jpeg', ext: png ? 'png' : 'jpg', width: info.width, height: info.height };
    }
  } catch {
    throw FilesError.invalid('file', 'is not a readable image (truncated or corrupt)');
  }
  const original = variants.original!;
  return { mime: original.mime, ext: original.ext, sha256, size: bytes.length, width: original.width, height: original.height, variants };
}

/**
 * Reads only an image's header: no pixels are decoded, so a decompression bomb's claimed size is seen and
 * refused before anything is decoded.
 */
async function imageHeader(bytes: Buffer): Promise<Metadata & { width: number; height: number }> {
  let metadata: Metadata;
  try {
    metadata = await sharp(bytes, { limitInputPixels: false }).metadata();
  } catch {
    throw FilesError.invalid('file', 'is not a readable image (truncated or corrupt)');
  }
  if (!metadata.width || !metadata.height) throw FilesError.invalid('file', 'is not a readable image');
  if (metadata.width * metadata.height > MAX_IMAGE_PIXELS) {
    throw tooLarge(`The image is ${metadata.width}×${metadata.height} pixels; at most ${MAX_IMAGE_PIXELS.toLocaleString('en')} pixels are accepted.`);
  }
  return metadata as Metadata & { width: number; height: number };
}

/**
 * A document that is an image (a scanned passport) keeps its bytes exactly as sent, as evidence; it is
 * served only as a download, and browsers preview it through a re-encoded thumbnail and medium variant.
 */
async function withPreview(
  bytes: Buffer,
  image: () => ReturnType<typeof sharp>,
  file: { mime: string; ext: string; sha256: string; metadata: { width: number; height: number } },
): Promise<ProcessedFile> {
  const variants: ProcessedFile['variants'] = { original: { bytes, mime: file.mime, ext: file.ext, width: file.metadata.width, height: file.metadata.height } };
  try {
    for (const [name, side] of [
      ['thumbnail', IMAGE_VARIANTS.thumbnail],
      ['medium', IMAGE_VARIANTS.medium],
    ] as const) {
      const { data, info } = await image()
        .rotate()
        .resize({ width: side, height: side, fit: 'inside', withoutEnlargement: true })
        .jpeg({ quality: 80, mozjpeg: true })
        .toBuffer({ resolveWithObject: true });
      variants[name] = { bytes: data, mime: 'image/jpeg', ext: 'jpg', width: info.width, height: info.height };
    }
  } catch {
    throw FilesError.invalid('file', 'is not a readable image (truncated or corrupt)');
  }
  return { mime: file.mime, ext: file.ext, sha256: file.sha256, size: bytes.length, width: file.metadata.width, height: file.metadata.height, variants };
}

/** A video keeps its bytes as sent, plus a poster and a thumbnail from its first frame when ffmpeg can make one. */
async function withPoster(video: ProcessedFile): Promise<ProcessedFile> {
  const frame = await posterFrame(video.variants.original!.bytes, video.mime);
  if (!frame) return video;
  for (const [name, side] of [
    ['poster', IMAGE_VARIANTS.medium],
    ['thumbnail', IMAGE_VARIANTS.thumbnail],
  ] as const) {
    const { data, info } = await sharp(frame, { limitInputPixels: MAX_IMAGE_PIXELS })
      .resize({ width: side, height: side, fit: 'inside', withoutEnlargement: true })
      .jpeg({ quality: 80, mozjpeg: true })
      .toBuffer({ resolveWithObject: true });
    video.variants[name] = { bytes: data, mime: 'image/jpeg', ext: 'jpg', width: info.width, height: info.height };
  }
  return video;
}

import { execFile, spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Whether `ffmpeg` is on PATH; asked once per process. Without it, videos are stored without a poster. */
let available: boolean | undefined;
export function ffmpegAvailable(): boolean {
  available ??= spawnSync('ffmpeg', ['-hide_banner', '-version'], { stdio: 'ignore', timeout: 5000 }).status === 0;
  return available;
}

/** ffmpeg's demuxer for each accepted video type: forced, so a file cannot talk ffmpeg into another format (a playlist, say). */
const DEMUXERS: Record<string, string> = { 'video/mp4': 'mov', 'video/quicktime': 'mov', 'video/webm': 'matroska' };

const TIMEOUT_MS = 30_000;

/**
 * The first frame of a video as PNG bytes, or undefined when ffmpeg is absent or cannot read the video.
 * The video goes through a temporary file because MP4s often keep their index at the end, which a
 * pipe cannot seek to; ffmpeg may read only that file.
 */
export async function posterFrame(video: Buffer, mime: string): Promise<Buffer | undefined> {
  const demuxer = DEMUXERS[mime];
  if (!demuxer || !ffmpegAvailable()) return undefined;
  const dir = await mkdtemp(join(tmpdir(), 'switchboard-poster-'));
  try {
    const input = join(dir, 'input');
    await writeFile(input, video);
    return await new Promise<Buffer | undefined>((resolve) => {
      execFile(
        'ffmpeg',
        [
          '-hide_banner',
          '-loglevel',
          'error',
          '-nostdin',
          '-protocol_whitelist',
          'file',
          '-f',
          demuxer,
          '-i',
          input,
          '-frames:v',
          '1',
          '-an',
          '-vf',
          "scale='min(1280,iw)':-1",
          '-f',
          'image2pipe',
          '-c:v',
          'png',
          'pipe:1',
        ],
        { encoding: 'buffer', maxBuffer: 64 * 1024 * 1024, timeout: TIMEOUT_MS, killSignal: 'SIGKILL' },
        (error, stdout) => resolve(!error && stdout.length > 0 ? stdout : undefined),
      );
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

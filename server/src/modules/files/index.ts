import { rm } from 'node:fs/promises';
import { perKernel } from '../../core/kernel.ts';
import { defineModule } from '../../core/module.ts';
import { fileEventTypes } from './events.ts';
import { fileRoutes } from './routes.ts';
import { applyReviewDecision, FileService } from './service.ts';
import { DiskStorage } from './storage.ts';
import { S3Storage } from './s3-storage.ts';
import { FileKinds, reviewPreview, ReviewStates } from './views.ts';

export const fileService = perKernel(
  (kernel) => new FileService(kernel, kernel.config.s3 ? new S3Storage(kernel.config.s3) : DiskStorage.forDataDir(kernel.config.dataDir)),
);

/** Files and photos: uploads checked by their bytes, images re-encoded into variants, signed links. */
export const filesModule = defineModule({
  name: 'files',
  label: { en: 'Files', ru: 'Файлы' },
  requires: ['people'],
  permissions: [{ key: 'files.manage', description: "Upload and delete files on people's behalf." }],
  // Moderators curate members' photos (add, remove) besides deciding on them.
  roleGrants: { moderator: ['files.manage'] },
  moderationKinds: ['photo', 'video'].map((kind) => ({
    kind,
    label: kind === 'photo' ? { en: 'Photos', ru: 'Фото' } : { en: 'Videos', ru: 'Видео' },
    description: kind === 'photo' ? 'Photos people upload: approved ones become visible to other members.' : 'Videos people upload.',
    onDecision: (ctx, item, decision, reason) => applyReviewDecision(ctx, item.recordId, decision, reason),
    present: (kernel, item) => reviewPreview(kernel, fileService(kernel), item.recordId),
  })),
  events: fileEventTypes,
  codes: [FileKinds, ReviewStates],
  routes: (app, kernel) => fileRoutes(app, fileService(kernel)),
  async bootstrap(kernel) {
    const service = fileService(kernel);
    await service.start();
    // An in-memory installation's files are as throwaway as its database.
    if (kernel.config.dataDir === 'memory://' && service.storage instanceof DiskStorage) {
      const root = service.storage.root;
      kernel.openStreams.add({ close: () => void rm(root, { recursive: true, force: true }) });
    }
  },
});

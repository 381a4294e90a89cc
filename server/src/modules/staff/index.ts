import { perKernel } from '../../core/kernel.ts';
import { defineModule } from '../../core/module.ts';
import { bootstrapStaff } from './bootstrap.ts';
import { staffPrincipals } from './principals.ts';
import { seedStaffDemo } from './demo.ts';
import { staffEventTypes } from './events.ts';
import { staffRoutes } from './routes.ts';
import { StaffSessions } from './sessions.ts';
import { StaffSsoProviders, StaffStatuses, staffRefs } from './views.ts';

/** The session service of one running kernel (the app's authenticator). */
export const staffSessions = perKernel((kernel) => new StaffSessions(kernel));

export const staffModule = defineModule({
  name: 'staff',
  label: { en: 'Staff', ru: 'Сотрудники' },
  provides: { staffAuthenticator: staffSessions, principals: () => staffPrincipals },
  permissions: [
    { key: 'staff.manage_users', description: 'Create, edit, disable staff users, reset their passwords, grant per-record access.' },
    { key: 'staff.manage_roles', description: 'Create and edit roles and their permissions.' },
  ],
  events: staffEventTypes,
  codes: [StaffStatuses, StaffSsoProviders],
  refs: staffRefs,
  routes: (app, kernel) => staffRoutes(kernel, staffSessions(kernel))(app),
  nav: [
    { group: 'administration', path: '/staff', label: 'nav.staff', permission: 'staff.manage_users' },
    { group: 'administration', path: '/roles', label: 'nav.roles', permission: 'staff.manage_roles' },
  ],
  bootstrap: bootstrapStaff,
  seedDemo: seedStaffDemo,
});

/**
 * The console's navigation groups shared by several modules; a module that brings a whole area of its
 * own (creators, and later studio, support, sales) declares its group in its manifest (`navGroups`).
 * `label` is a message key of the console's catalogues; groups show in `order`.
 */
export interface NavGroupDef {
  key: string;
  label: string;
  order: number;
}

export const NAV_GROUPS: readonly NavGroupDef[] = [
  { key: 'people', label: 'nav.group.people', order: 10 },
  { key: 'moderation', label: 'nav.group.moderation', order: 20 },
  { key: 'money', label: 'nav.group.money', order: 30 },
  { key: 'administration', label: 'nav.group.administration', order: 90 },
];

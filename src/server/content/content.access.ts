import type { Access } from './content.schemas.ts';

/** Who is looking: null for an anonymous visitor. Accounts fill in roles. */
export interface Viewer {
  id: string;
  roles: string[];
}

const STAFF_ROLES = new Set(['engineer', 'trainer', 'admin']);

/**
 * The content access levels a viewer may see: public for everyone, member for
 * signed-in users, staff for engineers, trainers and admins. Applies to pages,
 * downloads and search alike.
 */
export function visibleAccess(viewer: Viewer | null): Access[] {
  if (!viewer) return ['public'];
  if (viewer.roles.some((r) => STAFF_ROLES.has(r))) return ['public', 'member', 'staff'];
  return ['public', 'member'];
}

export function canView(viewer: Viewer | null, access: Access): boolean {
  return visibleAccess(viewer).includes(access);
}

import { can, type Actor } from '../auth/auth.policy.ts';
import { accessLevels, type Access } from './content.schemas.ts';

/** Who is looking: null for an anonymous visitor. */
export type Viewer = Actor;

/**
 * The content access levels a viewer may see (public: everyone; member:
 * signed-in users; staff: engineers, trainers, admins), from the one policy.
 * Applies to pages, downloads and search alike.
 */
export function visibleAccess(viewer: Viewer | null): Access[] {
  return accessLevels.filter((access) => can(viewer, 'content.read', { access }));
}

export function canView(viewer: Viewer | null, access: Access): boolean {
  return can(viewer, 'content.read', { access });
}

import type { Role } from '../../../db/schema/index.ts';
import type { Access } from '../content/content.schemas.ts';

export interface Actor {
  id: string;
  roles: Role[];
}

/** Everything a person can be allowed to do. Anything not listed is denied. */
export type Action =
  | 'content.read'
  | 'account.manage'
  | 'admin.home'
  | 'admin.users'
  | 'admin.units'
  | 'admin.audit';

const STAFF: Role[] = ['engineer', 'trainer', 'admin'];

/**
 * The one policy check: may `user` do `action` (on `resource`)? Deny by
 * default; every page and API route asks this on the server.
 */
export function can(user: Actor | null, action: Action, resource?: { access?: Access }): boolean {
  switch (action) {
    case 'content.read': {
      const access = resource?.access ?? 'public';
      if (access === 'public') return true;
      if (!user) return false;
      if (access === 'member') return true;
      return user.roles.some((r) => STAFF.includes(r));
    }
    case 'account.manage':
      return user !== null;
    case 'admin.home':
    case 'admin.users':
    case 'admin.units':
    case 'admin.audit':
      return user?.roles.includes('admin') ?? false;
    default:
      return false;
  }
}

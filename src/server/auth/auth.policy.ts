import type { Role } from '../../../db/schema/index.ts';
import type { Access } from '../content/content.schemas.ts';

export interface Actor {
  id: string;
  roles: Role[];
  unitId?: string | null;
  isUnitContact?: boolean;
}

/** Whose question it is, for `question.read`. */
export interface QuestionOwner {
  askerId: string | null;
  unitId: string | null;
}

/** Everything a person can be allowed to do. Anything not listed is denied. */
export type Action =
  | 'content.read'
  | 'account.manage'
  | 'admin.home'
  | 'admin.users'
  | 'admin.units'
  | 'admin.audit'
  | 'admin.mail'
  | 'admin.complaints'
  | 'admin.roster'
  | 'admin.sla'
  | 'admin.system'
  | 'admin.search'
  | 'questions.own'
  | 'question.read'
  | 'desk.use'
  | 'faq.review'
  | 'reports.view'
  | 'courseware.publish'
  | 'videos.publish'
  | 'announcements.manage'
  | 'training.create'
  | 'training.manage'
  | 'training.attend';

const STAFF: Role[] = ['engineer', 'trainer', 'admin'];

/** Whose training it is, for `training.manage`. */
export interface TrainingOwner {
  trainerId: string;
}

/**
 * The one policy check: may `user` do `action` (on `resource`)? Deny by
 * default; every page and API route asks this on the server.
 */
export function can(
  user: Actor | null,
  action: Action,
  resource?: { access?: Access; question?: QuestionOwner; training?: TrainingOwner },
): boolean {
  switch (action) {
    case 'content.read': {
      const access = resource?.access ?? 'public';
      if (access === 'public') return true;
      if (!user) return false;
      if (access === 'member') return true;
      return user.roles.some((r) => STAFF.includes(r));
    }
    case 'account.manage':
    case 'questions.own':
      return user !== null;
    case 'question.read': {
      const q = resource?.question;
      if (!user || !q) return false;
      if (can(user, 'desk.use')) return true;
      if (q.askerId === user.id) return true;
      return Boolean(user.isUnitContact && user.unitId && q.unitId === user.unitId);
    }
    case 'desk.use':
    case 'faq.review':
    // Reports: an admin's cover the whole service, an engineer's only their own questions and ratings.
    case 'reports.view':
      return user?.roles.some((r) => r === 'engineer' || r === 'admin') ?? false;
    case 'courseware.publish':
    case 'videos.publish':
    case 'announcements.manage':
    case 'training.create':
      return user?.roles.some((r) => r === 'trainer' || r === 'admin') ?? false;
    case 'training.manage': {
      // An admin runs any training; a trainer the ones they teach.
      if (!user) return false;
      if (user.roles.includes('admin')) return true;
      const t = resource?.training;
      return Boolean(t && user.roles.includes('trainer') && t.trainerId === user.id);
    }
    case 'training.attend':
      return user !== null;
    case 'admin.home':
    case 'admin.users':
    case 'admin.units':
    case 'admin.audit':
    case 'admin.mail':
    case 'admin.complaints':
    case 'admin.roster':
    case 'admin.sla':
    case 'admin.system':
    case 'admin.search':
      return user?.roles.includes('admin') ?? false;
    default:
      return false;
  }
}

/**
 * Who is asking, and what the answer should carry besides the object: shared by
 * the HTTP front end and the in-process client.
 */

export interface UserInfo {
  name: string;
  uid?: string;
  groups: string[];
  extra?: Record<string, string[]>;
}

export interface RequestContext {
  user: UserInfo;
  /** Warnings for the response's `Warning` headers (unknown fields under Warn, ...). */
  warnings: string[];
}

/** The identity of Verge's own controllers when they call the API in process. */
export const SYSTEM_USER: UserInfo = {
  name: 'system:verge-controller-manager',
  groups: ['system:masters', 'system:authenticated'],
};

export function systemContext(): RequestContext {
  return { user: SYSTEM_USER, warnings: [] };
}

export function isAdmin(user: UserInfo): boolean {
  return user.groups.includes('system:masters');
}

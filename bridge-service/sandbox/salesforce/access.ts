/**
 * Who may do what: each user's profile and permission sets, the permission sets the project ships (the package's,
 * without the standard-object permissions an install drops, and the org-owned ones of force-app-unpackaged/:
 * schema/metadata-loader.ts loadPermissionSets), and the few profiles the seed uses. The org consults it where the
 * platform does and the package relies on it: the approval lock (Modify All on the object, or Modify All Data, may
 * edit a locked record), custom permissions (FeatureManagement.checkPermission) and object permissions an Apex mirror
 * checks. It does not enforce CRUD or FLS on REST calls.
 */
import type { ObjectAccess, PermissionSetDef } from './schema/types';

const NONE: ObjectAccess = { create: false, read: false, edit: false, delete: false, viewAll: false, modifyAll: false };
const ALL: ObjectAccess = { create: true, read: true, edit: true, delete: true, viewAll: true, modifyAll: true };
const CRED: ObjectAccess = { ...ALL, viewAll: false, modifyAll: false };

/**
 * The standard profiles the seed gives its users, reduced to what the emulator consults. Standard User has no access
 * to package objects (that comes from the package's permission sets), System Administrator has Modify All Data.
 */
export const PROFILES = {
  'System Administrator': { userPermissions: ['ModifyAllData', 'ViewAllData'], standardObjects: ALL },
  'Standard User': { userPermissions: [], standardObjects: CRED },
  'Minimum Access - API Only Integrations': { userPermissions: [], standardObjects: NONE },
} as const;
export type ProfileName = keyof typeof PROFILES;

interface Grant {
  profile: ProfileName;
  permissionSets: PermissionSetDef[];
}

export class UserAccess {
  private readonly grants = new Map<string, Grant>();

  constructor(readonly permissionSets: Map<string, PermissionSetDef>) {}

  /** Gives a user (by username) a profile and permission sets; an unknown permission set is an error. */
  assign(username: string, profile: ProfileName, permissionSets: readonly string[]): void {
    const sets = permissionSets.map((name) => {
      const set = this.permissionSets.get(name);
      if (!set) {
        throw new Error(
          `permission set ${name} (assigned to ${username}) is not in the project; known: ${[...this.permissionSets.keys()].join(', ') || 'none'}`,
        );
      }
      return set;
    });
    this.grants.set(username.toLowerCase(), { profile, permissionSets: sets });
  }

  private grant(username: string): Grant | undefined {
    return this.grants.get(username.toLowerCase());
  }

  hasUserPermission(username: string, permission: string): boolean {
    const g = this.grant(username);
    if (!g) return false;
    return (
      (PROFILES[g.profile].userPermissions as readonly string[]).includes(permission) ||
      g.permissionSets.some((s) => s.userPermissions.has(permission))
    );
  }

  /** The user's profile and permission set names, as an External Client App's policy sees them (pre-authorisation). */
  assignment(username: string): { profile: ProfileName | undefined; permissionSets: string[] } {
    const g = this.grant(username);
    return { profile: g?.profile, permissionSets: g?.permissionSets.map((s) => s.name) ?? [] };
  }

  /** FeatureManagement.checkPermission: custom permissions come from permission sets. */
  hasCustomPermission(username: string, permission: string): boolean {
    return !!this.grant(username)?.permissionSets.some((s) => s.customPermissions.has(permission));
  }

  /** The union of the profile's and the permission sets' access to an object; Modify All Data grants everything. */
  objectAccess(username: string, objectName: string, standard: boolean): ObjectAccess {
    const g = this.grant(username);
    if (!g) return NONE;
    if (this.hasUserPermission(username, 'ModifyAllData')) return ALL;
    const access: ObjectAccess = { ...(standard ? PROFILES[g.profile].standardObjects : NONE) };
    for (const set of g.permissionSets) {
      const o = set.objects.get(objectName.toLowerCase());
      if (!o) continue;
      for (const key of Object.keys(access) as (keyof ObjectAccess)[]) access[key] ||= o[key];
    }
    return access;
  }
}

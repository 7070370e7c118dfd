import type { TargetAction } from './types';

/**
 * What a pointer target (an MLflow alias, a Langfuse label: all traffic on one version) does for an
 * action: point at `version` (deploy, promote, set-weight 100), back at `previousVersion` (rollback,
 * abort, set-weight 0), or fail for a split it cannot make.
 */
export function pointerVersion(type: string, action: TargetAction): { version: string } | { error: string } {
  const back = (): { version: string } | { error: string } =>
    action.previousVersion !== undefined ? { version: action.previousVersion } : { error: `${type}: ${action.action} needs the previous version (none is known for this deploy)` };
  switch (action.action) {
    case 'deploy':
    case 'promote':
      return { version: action.version };
    case 'rollback':
    case 'abort':
      return back();
    case 'set-weight':
      if (action.weight >= 100) return { version: action.version };
      if (action.weight <= 0) return back();
      return { error: `${type}: cannot split traffic (${action.weight}%): a pointer moves all of it; use strategy direct or blue-green` };
  }
}

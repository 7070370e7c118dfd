import { deploySpec } from './deploy.spec';
import { dashboardSpec } from './dashboard.spec';
import { packagedSpec } from './packaged.spec';
import { tokensSpec } from './tokens.spec';
import { traceViewerSpec } from './traceViewer.spec';
import type { UiSpec } from './uiContext';
import { workbenchSpec } from './workbench.spec';

/** UI specs run against the development extension. A feature adds its spec here. */
export const developmentSpecs: UiSpec[] = [workbenchSpec, tokensSpec, traceViewerSpec, deploySpec, dashboardSpec];

/** UI specs run against the installed VSIX. */
export const packagedSpecs: UiSpec[] = [packagedSpec];

/** The security checks (DJL3xx), in code order, for the registry. */
import type { Check } from '../registry';
import { csrfTokenMissing } from './csrfTokenMissing';
import { DEPLOY_CHECKS } from './deploySettings';
import { formatHtmlPreformatted, markSafeNonConstant } from './markSafe';
import { templateSafeFilter } from './templateSafe';
import { csrfExemptPostView, xframeOptionsExempt } from './viewDecorators';

export const SECURITY_CHECKS: Check[] = [...DEPLOY_CHECKS, markSafeNonConstant, formatHtmlPreformatted, templateSafeFilter, csrfExemptPostView, csrfTokenMissing, xframeOptionsExempt];

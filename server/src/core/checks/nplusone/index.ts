/** The N+1 checks (DJL1xx), in code order, for the registry. */
import type { Check } from '../registry';
import { perRowQuery } from './perRowQuery';
import { pythonLoopNPlusOne } from './pythonLoop';
import { templateLoopNPlusOne } from './templateLoop';

export const NPLUSONE_CHECKS: Check[] = [pythonLoopNPlusOne, templateLoopNPlusOne, perRowQuery];

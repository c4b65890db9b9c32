/** The raw-SQL checks (DJL2xx), in code order, for the registry. */
import type { Check } from '../registry';
import { quotedSqlPlaceholder } from './quotedPlaceholder';
import { rawSqlInjection } from './rawSql';

export const SQL_CHECKS: Check[] = [rawSqlInjection, quotedSqlPlaceholder];

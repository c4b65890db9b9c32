/**
 * DJL001: an `include()` that leads back to a URLconf already being included. Django would recurse
 * until RecursionError when it builds the resolver; the index stops at the cycle and reports it
 * at the `path()` that closes the loop.
 */
import type { Check } from './registry';

export const includeCycle: Check = {
  code: 'DJL001',
  name: 'include-cycle',
  defaultSeverity: 'error',
  description: 'An include() leads back to a URLconf that is already being included.',
  run({ project }) {
    return project.urls.located
      .filter((p) => p.message.startsWith('include cycle'))
      .map((p) => ({ code: 'DJL001', message: `${p.message} (Django recurses until RecursionError)`, file: p.at.file, span: p.at.span }));
  },
};

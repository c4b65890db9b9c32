/**
 * Maps dotted module names to files and back for one project, the way Python's import system
 * would with the project's source roots on sys.path: the first root that has a module wins,
 * packages are folders with `__init__.py` (namespace packages, folders without one, are accepted
 * too), and relative imports are resolved against the importing module's package.
 */
import { sep } from 'node:path';

export class ModuleMap {
  private byName = new Map<string, string>();
  private byFile = new Map<string, string>();

  /** `roots` in sys.path order; `files` every Python file known to the workspace. */
  constructor(readonly roots: string[], files: Iterable<string>) {
    const sorted = [...files].sort();
    for (const root of roots) {
      const prefix = root.endsWith(sep) ? root : root + sep;
      for (const file of sorted) {
        if (!file.startsWith(prefix)) continue;
        const name = moduleNameFor(file.slice(prefix.length));
        if (!name) continue;
        if (!this.byName.has(name)) this.byName.set(name, file);
        if (!this.byFile.has(file)) this.byFile.set(file, name);
      }
    }
  }

  fileOf(module: string): string | undefined {
    return this.byName.get(module);
  }

  moduleOf(file: string): string | undefined {
    return this.byFile.get(file);
  }

  has(module: string): boolean {
    return this.byName.has(module);
  }

  isPackage(module: string): boolean {
    const f = this.byName.get(module);
    return f !== undefined && isInitFile(f);
  }

  /** Every module name (for completion and for the "library" fallback project). */
  modules(): IterableIterator<string> {
    return this.byName.keys();
  }

  /**
   * The absolute module a `from <dots><module> import ...` in `fromModule` names, or undefined
   * when the dots climb above the top-level package.
   */
  resolveRelative(fromModule: string, level: number, module: string): string | undefined {
    if (level === 0) return module;
    const parts = fromModule.split('.');
    // A package's own __init__ is its package; a plain module's package is its parent.
    let pkg = this.isPackage(fromModule) ? parts : parts.slice(0, -1);
    if (level - 1 > pkg.length) return undefined;
    pkg = pkg.slice(0, pkg.length - (level - 1));
    const base = pkg.join('.');
    if (!module) return base || undefined;
    return base ? `${base}.${module}` : module;
  }
}

export function isInitFile(file: string): boolean {
  return file.endsWith(`${sep}__init__.py`) || file === '__init__.py';
}

/** `blog/views.py` → "blog.views"; `blog/__init__.py` → "blog"; invalid identifiers → undefined. */
export function moduleNameFor(relative: string): string | undefined {
  if (!relative.endsWith('.py')) return undefined;
  const parts = relative.slice(0, -3).split(sep);
  if (parts[parts.length - 1] === '__init__') parts.pop();
  if (parts.length === 0) return undefined;
  for (const p of parts) if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(p)) return undefined;
  return parts.join('.');
}

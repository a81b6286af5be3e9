import * as fs from 'node:fs';

/** A `readFile` for the planners: unsaved or scanned texts first, then the disk. */
export function overlayReader(overlay: (file: string) => string | undefined): (file: string) => string | undefined {
  return (file) => {
    const t = overlay(file);
    if (t !== undefined) {
      return t;
    }
    try {
      return fs.readFileSync(file, 'utf8');
    } catch {
      return undefined;
    }
  };
}

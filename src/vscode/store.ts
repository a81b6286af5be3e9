/**
 * Findings per file: from an open document (tagged with the document version they were computed for) or
 * from a workspace scan (disk content). The DiagnosticCollection, the tree and the status bar all read this.
 */
import * as vscode from 'vscode';
import type { Finding } from '../core/model';

export interface FileFindings {
  uri: vscode.Uri;
  folderKey: string;
  findings: Finding[];
  origin: 'document' | 'scan';
  /** Document version the findings belong to (origin 'document'). */
  version?: number;
}

export class FindingStore implements vscode.Disposable {
  private readonly byUri = new Map<string, FileFindings>();
  private readonly emitter = new vscode.EventEmitter<void>();
  private timer: NodeJS.Timeout | undefined;
  /** Fires (coalesced) after entries changed. */
  readonly onDidChange = this.emitter.event;

  get(uri: vscode.Uri): FileFindings | undefined {
    return this.byUri.get(uri.toString());
  }

  set(entry: FileFindings): void {
    const key = entry.uri.toString();
    const prev = this.byUri.get(key);
    if (!entry.findings.length && entry.origin === 'scan') {
      // scan entries are only kept for files with findings
      this.byUri.delete(key);
    } else {
      this.byUri.set(key, entry);
    }
    if (prev?.findings.length || entry.findings.length) {
      this.changed();
    }
  }

  delete(uri: vscode.Uri): boolean {
    const prev = this.byUri.get(uri.toString());
    if (!prev) {
      return false;
    }
    this.byUri.delete(uri.toString());
    if (prev.findings.length) {
      this.changed();
    }
    return true;
  }

  entries(): FileFindings[] {
    return [...this.byUri.values()];
  }

  forFolder(folderKey: string): FileFindings[] {
    return this.entries().filter((e) => e.folderKey === folderKey);
  }

  private changed(): void {
    if (!this.timer) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.emitter.fire();
      }, 30);
    }
  }

  dispose(): void {
    if (this.timer) {
      clearTimeout(this.timer);
    }
    this.emitter.dispose();
  }
}

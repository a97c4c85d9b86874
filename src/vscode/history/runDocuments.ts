// The read-only documents of recorded runs (Open, Compare): their URIs, which the restorer serves and colours.
import * as vscode from 'vscode';
import type { RunRecord } from '../../core/runs/runRecord';

/** Scheme of the read-only documents that show a recorded run's answer (`logprob-lens-run:/<id>/<name>`). */
export const RUN_SCHEME = 'logprob-lens-run';

/** The URI of the read-only document of a recorded run. */
export function runDocumentUri(record: Pick<RunRecord, 'id' | 'endpoint' | 'createdAt'>): vscode.Uri {
  const name = `${record.endpoint.model || 'run'} ${new Date(record.createdAt).toISOString().slice(0, 16).replace('T', ' ')}`.replace(/[/\\?#%]/g, '-');
  return vscode.Uri.from({ scheme: RUN_SCHEME, path: `/${record.id}/${name}` });
}

export function runIdOf(uri: vscode.Uri): string | undefined {
  return uri.scheme === RUN_SCHEME ? uri.path.split('/')[1] : undefined;
}

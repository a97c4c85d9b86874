import * as vscode from 'vscode';
import type { RunTreeDocument, RunTreeNode } from '../../core/runs/history';
import { describeSettingsChange, runLabel, runTooltip, runTree } from '../../core/runs/history';
import type { RunMeta } from '../../core/runs/runRecord';
import type { RunOutcome } from '../../core/runOutcome';
import { literalLabel } from '../../core/untrusted';
import { Commands } from '../commandIds';
import { Disposable } from '../lifetime';
import type { RunHistoryService } from './runHistory';

/** A row of the Runs view. */
export type RunsViewNode =
  | { readonly type: 'document'; readonly document: RunTreeDocument }
  | { readonly type: 'run'; readonly meta: RunMeta; readonly node: Extract<RunTreeNode, { type: 'run' }> }
  | { readonly type: 'group'; readonly node: Extract<RunTreeNode, { type: 'group' }> };

const OUTCOME_ICONS: Record<RunOutcome, [string, string | undefined]> = {
  done: ['pass', 'testing.iconPassed'],
  truncated: ['fold', 'editorWarning.foreground'],
  filtered: ['shield', 'editorWarning.foreground'],
  cancelled: ['circle-slash', undefined],
  incomplete: ['warning', 'editorWarning.foreground'],
  failed: ['error', 'editorError.foreground'],
};

/**
 * The Runs view: runs by document, newest first, branches under the run they continue, sample sets and
 * prompt-file runs as one node. A run's label gives model, time, tokens, perplexity and uncertain tokens; its
 * description, what changed since the previous run of the same prompt; its tooltip, the prompt and all settings.
 */
export class RunsView extends Disposable implements vscode.TreeDataProvider<RunsViewNode> {
  private readonly changed = this.register(new vscode.EventEmitter<void>());
  readonly onDidChangeTreeData = this.changed.event;
  readonly view: vscode.TreeView<RunsViewNode>;
  private documents: RunTreeDocument[] = [];
  private previous = new Map<string, RunMeta>();
  private readonly parents = new Map<string, RunsViewNode>();
  private readonly runNodes = new Map<string, RunsViewNode>();

  constructor(private readonly history: RunHistoryService) {
    super();
    this.view = this.register(vscode.window.createTreeView('logprobLens.runs', { treeDataProvider: this, canSelectMany: true, showCollapseAll: true }));
    this.register(history.onDidChange(() => this.refresh()));
    this.refresh();
  }

  /** How many runs are listed (the welcome view shows when none is). */
  get runCount(): number {
    return this.runNodes.size;
  }

  /** The ids of the runs selected in the view. */
  get selectedRunIds(): string[] {
    return this.view.selection.flatMap((node) => (node.type === 'run' ? [node.meta.id] : []));
  }

  /** Selects a run in the view (from the editor: the status bar, the hover), scrolling it into view. */
  async reveal(runId: string): Promise<boolean> {
    const node = this.runNodes.get(runId);
    if (!node) return false;
    await this.view.reveal(node, { select: true, focus: false, expand: true });
    return true;
  }

  getChildren(node?: RunsViewNode): RunsViewNode[] {
    if (!node) return this.documents.map((document) => this.documentNode(document));
    if (node.type === 'document') return node.document.runs.map((child) => this.childNode(child));
    if (node.type === 'group') return node.node.members.map((child) => this.childNode(child));
    return node.node.branches.map((child) => this.childNode(child));
  }

  getParent(node: RunsViewNode): RunsViewNode | undefined {
    return this.parents.get(this.keyOf(node));
  }

  getTreeItem(node: RunsViewNode): vscode.TreeItem {
    switch (node.type) {
      case 'document': {
        const item = new vscode.TreeItem(literalLabel(node.document.name), vscode.TreeItemCollapsibleState.Expanded);
        item.resourceUri = vscode.Uri.parse(node.document.uri);
        item.description = `${countRuns(node.document.runs)} run${countRuns(node.document.runs) === 1 ? '' : 's'}`;
        item.contextValue = 'runDocument';
        item.id = `document:${node.document.uri}`;
        return item;
      }
      case 'group': {
        const { group, newest } = node.node;
        const what = group.kind === 'samples' ? 'samples' : 'prompt-file cases';
        const item = new vscode.TreeItem(`${group.size} ${what}`, vscode.TreeItemCollapsibleState.Collapsed);
        item.description = literalLabel(runLabel(newest, { locale: vscode.env.language }));
        item.iconPath = new vscode.ThemeIcon(group.kind === 'samples' ? 'layers' : 'checklist');
        item.contextValue = 'runGroup';
        item.id = `group:${group.id}`;
        return item;
      }
      case 'run':
        return this.runItem(node);
    }
  }

  private runItem(node: Extract<RunsViewNode, { type: 'run' }>): vscode.TreeItem {
    const { meta } = node;
    const label = `${meta.parent ? 'branch · ' : ''}${runLabel(meta, { locale: vscode.env.language })}`;
    const item = new vscode.TreeItem(literalLabel(label), node.node.branches.length > 0 ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.None);
    const previous = this.previous.get(meta.id);
    if (previous) item.description = literalLabel(describeSettingsChange(previous, meta));
    // Plain text: the prompt is the user's or a file's, never markup.
    item.tooltip = runTooltip(meta, { locale: vscode.env.language });
    const [icon, colour] = meta.parent ? ['git-branch', undefined] : OUTCOME_ICONS[meta.outcome];
    item.iconPath = new vscode.ThemeIcon(icon, colour ? new vscode.ThemeColor(colour) : undefined);
    item.contextValue = previous ? 'run.hasPrevious' : 'run';
    item.id = `run:${meta.id}`;
    item.command = { command: Commands.revealRunAnswer, title: 'Reveal the Answer', arguments: [node] };
    return item;
  }

  private refresh(): void {
    const runs = this.history.list();
    this.documents = runTree(runs);
    this.previous = new Map();
    for (const meta of runs) {
      const previous = this.history.previousOfSamePrompt(meta);
      if (previous) this.previous.set(meta.id, previous);
    }
    this.parents.clear();
    this.runNodes.clear();
    const walk = (node: RunsViewNode, parent: RunsViewNode | undefined): void => {
      if (parent) this.parents.set(this.keyOf(node), parent);
      if (node.type === 'run') this.runNodes.set(node.meta.id, node);
      for (const child of this.getChildren(node)) walk(child, node);
    };
    for (const document of this.getChildren()) walk(document, undefined);
    this.changed.fire();
  }

  private documentNode(document: RunTreeDocument): RunsViewNode {
    return { type: 'document', document };
  }

  private childNode(node: RunTreeNode): RunsViewNode {
    return node.type === 'run' ? (this.runNodes.get(node.meta.id) ?? { type: 'run', meta: node.meta, node }) : { type: 'group', node };
  }

  private keyOf(node: RunsViewNode): string {
    return node.type === 'document' ? `document:${node.document.uri}` : node.type === 'group' ? `group:${node.node.group.id}` : `run:${node.meta.id}`;
  }
}

function countRuns(nodes: readonly RunTreeNode[]): number {
  return nodes.reduce((sum, node) => sum + (node.type === 'group' ? countRuns(node.members) : 1 + countRuns(node.branches)), 0);
}

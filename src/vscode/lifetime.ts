import type * as vscode from 'vscode';

/**
 * Disposables that share one lifetime (the extension's, a panel's, a run's), disposed together in reverse
 * order, once. Adding to a disposed store disposes the newcomer at once, so nothing outlives its owner.
 */
export class DisposableStore implements vscode.Disposable {
  private readonly owned: vscode.Disposable[] = [];
  private disposed = false;

  get isDisposed(): boolean {
    return this.disposed;
  }

  add<T extends vscode.Disposable>(disposable: T): T {
    if (this.disposed) disposable.dispose();
    else this.owned.push(disposable);
    return disposable;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const disposable of this.owned.splice(0).reverse()) disposable.dispose();
  }
}

/** Base of long-lived objects: `register` ties a listener or resource to the object's own lifetime. */
export abstract class Disposable implements vscode.Disposable {
  private readonly store = new DisposableStore();

  protected register<T extends vscode.Disposable>(disposable: T): T {
    return this.store.add(disposable);
  }

  protected get isDisposed(): boolean {
    return this.store.isDisposed;
  }

  dispose(): void {
    this.store.dispose();
  }
}

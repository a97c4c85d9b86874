import * as ts from 'typescript';

/**
 * What makes a module unsafe to be in two bundles at once. esbuild copies a module into every bundle that imports
 * it, and each copy runs on its own: the main bundle (dist/extension.js) and the lazy commands bundle
 * (dist/commands.js) would each have their own module variables, and their own class of the same name. That is
 * harmless for stateless code (it only costs bytes), and wrong for:
 * - module-level state: a `let` or `var`, or a `const` holding a collection to fill (`new Map()`, `[]`, `{}`), or a
 *   class's writable static field: each copy keeps its own, so one bundle never sees what the other stored;
 * - services: a class extending `Disposable` owns listeners and a lifetime; the main bundle's instance must be the
 *   one passed to the commands (dependency injection), so a copy of its module means a second instance or a
 *   helper that belongs in a stateless module;
 * - identity: a class with `#private` members, or one some code tests with `instanceof`, breaks when an instance
 *   made by one copy meets the other copy's class.
 */
export interface CopyHazard {
  readonly line: number;
  readonly name: string;
  readonly why: string;
}

/** Constructors whose instances hold no state between calls (an encoder, a non-streaming decoder). */
const STATELESS_CONSTRUCTORS: ReadonlySet<string> = new Set(['TextEncoder', 'TextDecoder']);

/** The hazards of one module's source (see `CopyHazard`); `instanceofTargets`: the names tested with `instanceof` anywhere. */
export function copyHazards(fileName: string, source: string, instanceofTargets: ReadonlySet<string>): CopyHazard[] {
  const file = ts.createSourceFile(fileName, source, ts.ScriptTarget.ES2022, true);
  const hazards: CopyHazard[] = [];
  const add = (node: ts.Node, name: string, why: string): void => {
    hazards.push({ line: file.getLineAndCharacterOfPosition(node.getStart(file)).line + 1, name, why });
  };
  for (const statement of file.statements) {
    if (ts.isVariableStatement(statement)) {
      const constant = (statement.declarationList.flags & ts.NodeFlags.Const) !== 0;
      for (const declaration of statement.declarationList.declarations) {
        const name = declaration.name.getText(file);
        if (!constant) add(declaration, name, 'a module-level variable');
        else if (holdsCollection(declaration, file)) add(declaration, name, 'a module-level collection to fill');
      }
    } else if (ts.isClassDeclaration(statement)) {
      classHazards(statement, file, instanceofTargets, add);
    }
  }
  return hazards;
}

function holdsCollection(declaration: ts.VariableDeclaration, file: ts.SourceFile): boolean {
  const initializer = declaration.initializer && skipAssertions(declaration.initializer);
  if (!initializer) return false;
  if (ts.isArrayLiteralExpression(initializer)) return initializer.elements.length === 0;
  if (ts.isObjectLiteralExpression(initializer)) return initializer.properties.length === 0;
  if (!ts.isNewExpression(initializer)) return false;
  const constructor = initializer.expression.getText(file);
  const declaredReadonly = declaration.type?.getText(file).startsWith('Readonly') ?? false;
  return !STATELESS_CONSTRUCTORS.has(constructor) && !declaredReadonly;
}

function skipAssertions(expression: ts.Expression): ts.Expression {
  let inner = expression;
  while (ts.isAsExpression(inner) || ts.isSatisfiesExpression(inner) || ts.isParenthesizedExpression(inner)) inner = inner.expression;
  return inner;
}

function classHazards(declaration: ts.ClassDeclaration, file: ts.SourceFile, instanceofTargets: ReadonlySet<string>,
  add: (node: ts.Node, name: string, why: string) => void): void {
  const name = declaration.name?.getText(file) ?? '(anonymous class)';
  const base = declaration.heritageClauses?.find((clause) => clause.token === ts.SyntaxKind.ExtendsKeyword)?.types[0]?.expression.getText(file);
  if (base === 'Disposable') add(declaration, name, 'a service (it extends Disposable): pass the main bundle\'s instance instead');
  if (instanceofTargets.has(name)) add(declaration, name, 'a class some code tests with instanceof');
  for (const member of declaration.members) {
    if (member.name && ts.isPrivateIdentifier(member.name)) add(member, `${name}.${member.name.getText(file)}`, 'a #private member');
    const modifiers = ts.canHaveModifiers(member) ? ts.getModifiers(member) ?? [] : [];
    const isStatic = modifiers.some((modifier) => modifier.kind === ts.SyntaxKind.StaticKeyword);
    const isReadonly = modifiers.some((modifier) => modifier.kind === ts.SyntaxKind.ReadonlyKeyword);
    if (ts.isPropertyDeclaration(member) && isStatic && !isReadonly) add(member, `${name}.${member.name.getText(file)}`, 'a writable static field');
  }
}

/** The names code tests with `instanceof` (`x instanceof Name`), across these sources. */
export function instanceofTargets(sources: readonly { readonly fileName: string; readonly text: string }[]): Set<string> {
  const names = new Set<string>();
  for (const { fileName, text } of sources) {
    const visit = (node: ts.Node): void => {
      if (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.InstanceOfKeyword) names.add(node.right.getText());
      ts.forEachChild(node, visit);
    };
    visit(ts.createSourceFile(fileName, text, ts.ScriptTarget.ES2022, true));
  }
  return names;
}

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';

/**
 * Declarations a module exports to other modules whose types mention drizzle's `SQL`: a parameter, a
 * return type, a member of an exported interface or type. Such a value carries the module's tables into
 * its caller (the dependency rule cannot see it: no schema.ts is imported). A module's own files may pass
 * SQL among themselves; core's SQL helpers (core/db) exist to be shared. Syntax only: milliseconds.
 */
export function sqlInSignatures(src: string): string[] {
  const files = sourceFiles(src);
  const parsed = new Map(files.map((path) => [path, ts.createSourceFile(path, readFileSync(path, 'utf8'), ts.ScriptTarget.ES2022, true)]));
  const usedElsewhere = importsAcrossModules(src, parsed);
  const found: string[] = [];
  for (const [path, file] of parsed) {
    if (!moduleOf(src, path).startsWith('modules/') || !isService(path)) continue;
    // A file's own interfaces and types that hold SQL leak it too when a signature names them.
    const sqlTypes = new Set(['SQL']);
    for (const statement of file.statements) {
      if ((ts.isInterfaceDeclaration(statement) || ts.isTypeAliasDeclaration(statement)) && mentionsSql(statement, sqlTypes)) sqlTypes.add(statement.name.text);
    }
    for (const statement of file.statements) {
      if (!isExported(statement)) continue;
      for (const [name, node] of exportedTypes(statement)) {
        const symbol = name.split(/[.(]/)[0]!;
        if (usedElsewhere.get(path)?.has(symbol) && mentionsSql(node, sqlTypes)) found.push(`${relative(src, path)}: ${name}`);
      }
    }
  }
  return found;
}

/** `modules/people`, `core/events`, or the file itself for the composition root. */
const moduleOf = (src: string, path: string) => relative(src, path).split('/').slice(0, 2).join('/');

const isService = (path: string) => !/(^|\/)(routes|views|index|schema)\.ts$/.test(path);

/** For each file, the names other modules import from it. */
function importsAcrossModules(src: string, parsed: Map<string, ts.SourceFile>): Map<string, Set<string>> {
  const used = new Map<string, Set<string>>();
  for (const [path, file] of parsed) {
    for (const statement of file.statements) {
      if (!ts.isImportDeclaration(statement) || !ts.isStringLiteral(statement.moduleSpecifier)) continue;
      const specifier = statement.moduleSpecifier.text;
      if (!specifier.startsWith('.')) continue;
      const target = resolve(dirname(path), specifier);
      if (moduleOf(src, target) === moduleOf(src, path)) continue;
      const names = used.get(target) ?? new Set<string>();
      const bindings = statement.importClause?.namedBindings;
      if (bindings && ts.isNamedImports(bindings)) for (const element of bindings.elements) names.add((element.propertyName ?? element.name).text);
      else if (bindings) names.add('*');
      used.set(target, names);
    }
  }
  // A namespace import (`import * as people`) may use any export.
  for (const [target, names] of used) if (names.has('*')) used.set(target, new Set(exportedNames(parsed.get(target))));
  return used;
}

function exportedNames(file: ts.SourceFile | undefined): string[] {
  if (!file) return [];
  return file.statements.filter(isExported).flatMap((statement) => exportedTypes(statement).map(([name]) => name.split(/[.(]/)[0]!));
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return name.endsWith('.ts') && !name.endsWith('.test.ts') ? [path] : [];
  });
}

const isExported = (node: ts.Statement) => ts.canHaveModifiers(node) && (ts.getModifiers(node) ?? []).some((m) => m.kind === ts.SyntaxKind.ExportKeyword);

/** The parts of an exported statement that form its public type: signatures and declared shapes, not bodies. */
function exportedTypes(statement: ts.Statement): Array<[string, ts.Node]> {
  if (ts.isFunctionDeclaration(statement)) return signatureParts(statement.name?.text ?? 'default', statement);
  if (ts.isInterfaceDeclaration(statement) || ts.isTypeAliasDeclaration(statement)) return [[statement.name.text, statement]];
  if (ts.isClassDeclaration(statement)) {
    return statement.members.flatMap((member) => {
      const name = `${statement.name?.text ?? 'class'}.${member.name?.getText() ?? 'constructor'}`;
      const isPrivate = (ts.canHaveModifiers(member) ? (ts.getModifiers(member) ?? []) : []).some((m) => m.kind === ts.SyntaxKind.PrivateKeyword);
      if (isPrivate || member.name?.getText().startsWith('#')) return [];
      if (ts.isMethodDeclaration(member) || ts.isConstructorDeclaration(member)) return signatureParts(name, member);
      if (ts.isPropertyDeclaration(member) && member.type) return [[name, member.type]];
      return [];
    });
  }
  if (ts.isVariableStatement(statement)) {
    return statement.declarationList.declarations.flatMap((declaration) => {
      const name = declaration.name.getText();
      if (declaration.type) return [[name, declaration.type]];
      const value = declaration.initializer;
      if (value && (ts.isArrowFunction(value) || ts.isFunctionExpression(value))) return signatureParts(name, value);
      return [];
    });
  }
  return [];
}

function signatureParts(name: string, fn: ts.SignatureDeclarationBase): Array<[string, ts.Node]> {
  const parts: Array<[string, ts.Node]> = fn.parameters.flatMap((p) => (p.type ? [[`${name}(${p.name.getText()})`, p.type] as [string, ts.Node]] : []));
  if (fn.type) parts.push([`${name}(): return`, fn.type]);
  return parts;
}

function mentionsSql(node: ts.Node, sqlTypes: Set<string>): boolean {
  if (ts.isTypeReferenceNode(node) && sqlTypes.has(node.typeName.getText())) return true;
  return ts.forEachChild(node, (child) => (mentionsSql(child, sqlTypes) ? true : undefined)) ?? false;
}

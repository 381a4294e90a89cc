/**
 * No English on a Russian screen: every message exists in both catalogues with the same placeholders, no
 * component renders a literal user-facing string, and the Carbon components whose props default to English
 * text are given translated ones.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'svelte/compiler';
import { m } from './paraglide/messages.js';
import { codeLabel, codeTone, menuIconText, selectionText, setLabels } from './labels';

const web = fileURLToPath(new URL('../..', import.meta.url));
const src = join(web, 'src');

// ---------------------------------------------------------------------------------------------------------
// The catalogues
// ---------------------------------------------------------------------------------------------------------

type Catalogue = Record<string, unknown>;

const readCatalogue = (locale: string) => JSON.parse(readFileSync(join(web, 'messages', `${locale}.json`), 'utf8')) as Catalogue;

/** `{name}` placeholders of a pattern, sorted and without repeats. */
const placeholders = (message: string) => [...new Set([...message.matchAll(/\{\s*([^{}\s]+)\s*\}/g)].map((match) => match[1]!))].sort();

/**
 * A message with variants, in the inlang message format: `[{ declarations, selectors, match }]`, e.g. a plural
 * `["input count", "local countPlural = count: plural"]`, `["countPlural"]`, `{ "countPlural=one": "…", "countPlural=other": "…" }`.
 */
interface Variants {
  declarations?: string[];
  selectors?: string[];
  match: Record<string, string>;
}

/** Placeholders that hold a number of things: their message must pick its words by the language's plural rules. */
const COUNT_LIKE = /^(count|total|n)$/;

const isVariants = (value: unknown): value is [Variants] =>
  Array.isArray(value) &&
  value.length === 1 &&
  typeof value[0] === 'object' &&
  value[0] !== null &&
  typeof (value[0] as Variants).match === 'object' &&
  Object.values((value[0] as Variants).match ?? {}).every((pattern) => typeof pattern === 'string') &&
  [(value[0] as Variants).declarations ?? [], (value[0] as Variants).selectors ?? []].every(
    (list) => Array.isArray(list) && list.every((d) => typeof d === 'string'),
  );

/** What a message takes (its `{name}` placeholders, or the inputs a message with variants declares), its text patterns, and its plural selectors by input. */
function readMessage(value: string | [Variants]) {
  if (typeof value === 'string')
    return {
      inputs: placeholders(value),
      patterns: [value],
      locals: [] as string[],
      plurals: new Map<string, string>(),
      match: {} as Record<string, string>,
      selectors: [] as string[],
    };
  const [{ declarations = [], selectors = [], match }] = value;
  const inputs = declarations.flatMap((d) => /^input\s+(\S+)$/.exec(d.trim())?.[1] ?? []).sort();
  const locals = declarations.flatMap((d) => /^local\s+(\S+)\s*=/.exec(d.trim())?.[1] ?? []);
  /** input → the selector that reads its plural category (`local countPlural = count: plural`). */
  const plurals = new Map<string, string>();
  for (const d of declarations) {
    const local = /^local\s+(\S+)\s*=\s*(\S+)\s*:\s*plural\b/.exec(d.trim());
    if (local && selectors.includes(local[1]!)) plurals.set(local[2]!, local[1]!);
  }
  return { inputs, patterns: Object.values(match), locals, plurals, match, selectors };
}

/** The plural categories a variant message covers for one selector (`*` covers all). */
function categoriesOf(match: Record<string, string>, selector: string): Set<string> {
  const seen = new Set<string>();
  for (const key of Object.keys(match)) {
    for (const part of key.split(',')) {
      const [name, category] = part.split('=').map((s) => s.trim());
      if (name === selector && category) seen.add(category);
    }
  }
  return seen;
}

/** What is wrong between a base catalogue and a translation, one line per offending key. */
export function catalogueProblems(catalogues: Record<string, Catalogue>): string[] {
  const problems: string[] = [];
  const keys = (catalogue: Catalogue) => Object.keys(catalogue).filter((key) => key !== '$schema');
  const [base, ...others] = Object.keys(catalogues);
  const valid = (value: unknown): value is string | [Variants] => typeof value === 'string' || isVariants(value);
  for (const locale of Object.keys(catalogues)) {
    const categories = new Intl.PluralRules(locale).resolvedOptions().pluralCategories;
    for (const key of keys(catalogues[locale]!)) {
      const value = catalogues[locale]![key];
      if (!valid(value)) {
        problems.push(`${locale}: ${key} is neither a string nor a message with variants`);
        continue;
      }
      const message = readMessage(value);
      if (message.patterns.length === 0 || message.patterns.some((pattern) => !pattern.trim())) problems.push(`${locale}: ${key} is empty`);
      for (const name of new Set(message.patterns.flatMap(placeholders))) {
        if (typeof value !== 'string' && !message.inputs.includes(name) && !message.locals.includes(name))
          problems.push(`${locale}: ${key} shows {${name}}, which it does not declare`);
      }
      for (const input of message.inputs.filter((name) => COUNT_LIKE.test(name))) {
        const selector = message.plurals.get(input);
        if (!selector) {
          problems.push(`${locale}: ${key} shows the number {${input}} without plural forms`);
          continue;
        }
        const covered = categoriesOf(message.match, selector);
        const missing = covered.has('*') ? [] : categories.filter((category) => !covered.has(category));
        if (missing.length) problems.push(`${locale}: ${key} has no ${missing.join(', ')} form of {${input}}`);
      }
    }
  }
  for (const locale of others) {
    const there = new Set(keys(catalogues[locale]!));
    const here = new Set(keys(catalogues[base!]!));
    for (const key of here) if (!there.has(key)) problems.push(`${locale}: ${key} is missing (it is in ${base})`);
    for (const key of there) if (!here.has(key)) problems.push(`${locale}: ${key} is not in ${base}`);
    for (const key of here) {
      const a = catalogues[base!]![key];
      const b = catalogues[locale]![key];
      if (!valid(a) || !valid(b)) continue;
      const [pa, pb] = [readMessage(a).inputs, readMessage(b).inputs];
      if (pa.join() !== pb.join()) problems.push(`${locale}: ${key} has placeholders {${pb.join('}, {')}}, ${base} has {${pa.join('}, {')}}`);
    }
  }
  return problems;
}

// ---------------------------------------------------------------------------------------------------------
// Literal text in components
// ---------------------------------------------------------------------------------------------------------

/** Attributes and props whose value is read or heard by the user (HTML, Carbon and the console's own components). */
const TEXT_PROPS = new Set([
  'placeholder',
  'title',
  'alt',
  'aria-label',
  'aria-description',
  'aria-roledescription',
  'aria-valuetext',
  'aria-placeholder',
  'label',
  'labelText',
  'text',
  'iconDescription',
  'description',
  'helperText',
  'invalidText',
  'warnText',
  'primaryButtonText',
  'secondaryButtonText',
  'primaryButtonLoadingDescription',
  'modalHeading',
  'modalLabel',
  'modalAriaLabel',
  'heading',
  'subtitle',
  'caption',
  'companyName',
  'platformName',
  'ariaLabel',
  'ariaLabelMenu',
  'closeButtonLabelText',
  'closeButtonDescription',
  'hidePasswordLabel',
  'showPasswordLabel',
  'labelA',
  'labelB',
  'readonlyText',
  'maxSelectedText',
  'clearSelectionText',
  'selectionClearedText',
  'tooltipText',
  'empty',
  'header',
  'detail',
  'message',
]);

/**
 * Literal strings allowed where the rule would refuse them, each for a reason. An entry that matches
 * nothing fails the test too, so the list stays as short as the console needs.
 */
const ALLOWED: { text: string; reason: string }[] = [
  { text: 'English', reason: 'the language switcher names each language in that language' },
  { text: 'Русский', reason: 'the language switcher names each language in that language' },
  { text: 'COIN', reason: 'an example currency code: codes are the same in every language' },
  { text: 'CY', reason: 'an example ISO 3166 country code' },
  { text: 'Europe/Nicosia', reason: 'an example IANA time zone id' },
  { text: 'agency', reason: 'an example organization kind, a Latin-only code (the API refuses other letters)' },
  { text: 'staff', reason: 'an example subject type, a code of the event log' },
  { text: 'uuid', reason: 'the format of the id the field takes' },
  { text: 'vip', reason: 'an example tag: tags are data, written as the staff write them' },
  { text: 'null', reason: "JSON's null in the JSON tree of an event's payload, like the other JSON it shows" },
  { text: '(A)', reason: 'the key of the shortcut: moderation keys are Latin letters in every language (see moderation_keys)' },
  { text: '(R)', reason: 'the key of the shortcut: moderation keys are Latin letters in every language (see moderation_keys)' },
];

/** The node types of Svelte's template (the rest of the tree is ESTree: the JavaScript of expressions). */
const TEMPLATE =
  /^(Fragment|Text|Comment|(Expression|Html|Const|Debug|Render|Attach)Tag|(If|Each|Await|Key|Snippet)Block|(Regular|Slot|Title)Element|Component|Svelte[A-Z][a-z]+|(Spread)?Attribute|[A-Z][a-z]+Directive)$/;

export interface Finding {
  file: string;
  line: number;
  text: string;
  where: string;
}

/** A node of the Svelte or ESTree AST, read loosely: the walk only needs its type, position and children. */
type Node = { type: string; start: number; end: number; [key: string]: unknown };

const isNode = (value: unknown): value is Node => typeof value === 'object' && value !== null && typeof (value as Node).type === 'string';
const hasLetters = (text: string) => /\p{L}/u.test(text);

/**
 * Every literal user-facing string a component's source renders: template text with letters, literal
 * values of the props in TEXT_PROPS (also inside object literals, like `back={{ label: '…' }}` or a column
 * list in the script), and strings an expression in the template evaluates to (`{ok ? 'Yes' : 'No'}`).
 * A `.ts` module is read as the script of a component.
 */
export function literalTexts(source: string, file: string): Finding[] {
  const ast = parse(file.endsWith('.svelte') ? source : `<script lang="ts">${source}</script>`, { modern: true }) as unknown as Record<string, unknown>;
  const text = file.endsWith('.svelte') ? source : `<script lang="ts">${source}</script>`;
  const lineAt = (offset: number) => text.slice(0, offset).split('\n').length;
  const findings: Finding[] = [];
  const report = (node: Node, value: string, where: string) => {
    if (hasLetters(value)) findings.push({ file, line: lineAt(node.start), text: value.trim().replace(/\s+/g, ' '), where });
  };

  /** The strings an expression evaluates to, not those it passes to calls (`dateTime(at, 'short')`). */
  const rendered = (node: unknown, where: string): void => {
    if (!isNode(node)) return;
    switch (node.type) {
      case 'Literal':
        if (typeof node.value === 'string') report(node, node.value, where);
        return;
      case 'TemplateLiteral':
        for (const quasi of node.quasis as Node[]) report(quasi, String((quasi.value as { cooked: string }).cooked ?? ''), where);
        for (const expression of node.expressions as Node[]) rendered(expression, where);
        return;
      case 'ConditionalExpression':
        rendered(node.consequent, where);
        rendered(node.alternate, where);
        return;
      case 'LogicalExpression':
      case 'BinaryExpression':
        if (node.type === 'LogicalExpression' || node.operator === '+') {
          rendered(node.left, where);
          rendered(node.right, where);
        }
        return;
      case 'SequenceExpression':
        rendered((node.expressions as Node[]).at(-1), where);
        return;
      case 'ArrayExpression':
        for (const element of node.elements as unknown[]) rendered(element, where);
        return;
      case 'ObjectExpression':
        textProperties(node);
        return;
      case 'TSAsExpression':
      case 'TSSatisfiesExpression':
      case 'TSNonNullExpression':
        rendered(node.expression, where);
        return;
    }
  };

  /** `{ label: 'Name' }` anywhere in a script or an expression. */
  const textProperties = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(textProperties);
    if (!isNode(node)) return;
    if (node.type === 'Property' && !node.computed) {
      const key = node.key as Node;
      const name = key.type === 'Identifier' ? String(key.name) : key.type === 'Literal' ? String(key.value) : '';
      if (TEXT_PROPS.has(name)) rendered(node.value, `${name}:`);
    }
    for (const [key, value] of Object.entries(node)) if (key !== 'loc' && key !== 'metadata' && typeof value === 'object') textProperties(value);
  };

  const attribute = (node: Node) => {
    const name = String(node.name);
    const parts = node.value === true ? [] : Array.isArray(node.value) ? (node.value as Node[]) : [node.value as Node];
    for (const part of parts) {
      if (part.type === 'Text') {
        if (TEXT_PROPS.has(name)) report(part, String(part.data), `${name}=`);
      } else if (part.type === 'ExpressionTag') {
        if (TEXT_PROPS.has(name)) rendered(part.expression, `${name}=`);
        else textProperties(part.expression);
      }
    }
  };

  const template = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(template);
    if (!isNode(node)) return;
    switch (node.type) {
      case 'Text':
        report(node, String(node.data), 'text');
        return;
      case 'ExpressionTag':
      case 'HtmlTag':
        rendered(node.expression, 'text');
        return;
      case 'Attribute':
        attribute(node);
        return;
      case 'Comment':
        return;
      case 'StyleDirective': // style:color="red" is CSS
        textProperties(node.value);
        return;
      case 'RegularElement': // CSS or code inside <svelte:head>
        if (node.name === 'style' || node.name === 'script') return;
        break;
    }
    for (const [key, value] of Object.entries(node)) {
      if (key === 'loc' || key === 'metadata' || typeof value !== 'object') continue;
      // Expressions of blocks and directives (`{#if}`, `onclick={…}`, `{@const}`) hold code, not text, but may hold text props.
      if (isNode(value) && !TEMPLATE.test(value.type)) textProperties(value);
      else template(value);
    }
  };

  template(ast.fragment);
  for (const script of [ast.instance, ast.module]) if (isNode(script)) textProperties(script.content);
  return findings;
}

const allowed = (finding: Finding) => ALLOWED.some((entry) => entry.text === finding.text);

/** The console's sources a user may see text of: every component and module under src, but tests, generated code and the API types. */
function sources(dir = src): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return path === join(src, 'lib', 'paraglide') ? [] : sources(path);
    return /\.svelte$|(?<!\.test|\.d)\.ts$/.test(entry.name) ? [path] : [];
  });
}

// ---------------------------------------------------------------------------------------------------------
// Carbon's English defaults
// ---------------------------------------------------------------------------------------------------------

/**
 * The Carbon components the console uses, each with the props that default to English text (read from
 * node_modules/carbon-components-svelte/src) and must therefore be given; `when` names a prop that makes
 * the text appear (the text only shows in that variant), `unless` one that hides it. `children: true`: the
 * English is the default slot content. A Carbon component missing here fails the test: review its source
 * for English defaults, then add it.
 */
type Need = string | { prop: string; when?: string; unless?: string };
const CARBON: Record<string, { props?: Need[]; children?: true }> = {
  Breadcrumb: { props: ['labelText'] },
  BreadcrumbItem: {},
  Button: {},
  Checkbox: {},
  ClickableTile: {},
  ComboBox: { props: ['translateWithId', 'translateWithIdSelection'] },
  Content: {},
  Form: {},
  Header: { props: ['ariaLabelMenu'] },
  HeaderAction: {},
  HeaderPanelDivider: {},
  HeaderPanelLink: {},
  HeaderPanelLinks: {},
  HeaderSearch: { props: ['placeholder', 'labelText', 'closeButtonLabelText'] },
  HeaderUtilities: {},
  InlineLoading: { props: ['iconDescription'] },
  InlineNotification: { props: [{ prop: 'closeButtonDescription', unless: 'hideCloseButton' }] },
  Modal: { props: ['iconDescription', { prop: 'primaryButtonLoadingDescription', when: 'primaryButtonLoading' }] },
  MultiSelect: {
    props: [
      'translateWithId',
      'translateWithIdSelection',
      'clearSelectionText',
      'selectionClearedText',
      'aria-label',
      { prop: 'readonlyText', when: 'readonly' },
      { prop: 'maxSelectedText', when: 'maxSelectedItems' },
      { prop: 'filterResultsText', when: 'filterable' },
    ],
  },
  NumberInput: { props: [{ prop: 'translateWithId', unless: 'hideSteppers' }] },
  PasswordInput: { props: ['hidePasswordLabel', 'showPasswordLabel'] },
  ProgressBar: {},
  RadioButton: {},
  RadioButtonGroup: {},
  Search: { props: ['placeholder', 'closeButtonLabelText'] },
  Select: {},
  SelectItem: {},
  SideNav: { props: ['ariaLabel'] },
  SideNavItems: {},
  SideNavLink: {},
  SideNavMenu: {},
  SideNavMenuItem: {},
  SkeletonText: {},
  SkipToContent: { children: true },
  Tag: { props: [{ prop: 'title', when: 'filter' }] },
  TextArea: {},
  TextInput: {},
  ToastNotification: { props: [{ prop: 'closeButtonDescription', unless: 'hideCloseButton' }] },
  Toggle: { props: ['labelA', 'labelB'] },
};

/** Carbon components used without the props that replace their English defaults. */
export function carbonDefaults(source: string, file: string): Finding[] {
  const ast = parse(source, { modern: true }) as unknown as { fragment: Node; instance?: Node | null };
  const lineAt = (offset: number) => source.slice(0, offset).split('\n').length;
  const carbon = new Map<string, string>();
  for (const statement of ((ast.instance?.content as Node | undefined)?.body as Node[] | undefined) ?? []) {
    if (statement.type !== 'ImportDeclaration' || (statement.source as Node).value !== 'carbon-components-svelte') continue;
    for (const specifier of statement.specifiers as Node[]) {
      if (specifier.type === 'ImportSpecifier') carbon.set(String((specifier.local as Node).name), String((specifier.imported as Node).name));
    }
  }
  const findings: Finding[] = [];
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (!isNode(node)) return;
    const component = node.type === 'Component' ? carbon.get(String(node.name)) : undefined;
    if (component) {
      const rule = CARBON[component];
      const attributes = node.attributes as Node[];
      const given = new Set(attributes.filter((a) => a.type === 'Attribute' || a.type === 'BindDirective').map((a) => String(a.name)));
      const spread = attributes.some((a) => a.type === 'SpreadAttribute');
      const at = { file, line: lineAt(node.start) };
      if (!rule) findings.push({ ...at, text: component, where: 'a Carbon component whose English defaults are not reviewed (add it to CARBON)' });
      // Props spread in may hold the text; the component passing them on is checked where it is used.
      else if (!spread) {
        for (const need of rule.props ?? []) {
          const { prop, when, unless } = typeof need === 'string' ? { prop: need } : need;
          if (given.has(prop) || (when && !given.has(when)) || (unless && given.has(unless))) continue;
          findings.push({ ...at, text: component, where: `no ${prop} (its default is English)` });
        }
        const children = (node.fragment as Node).nodes as Node[];
        if (rule.children && !children.some((child) => child.type !== 'Text' || String(child.data).trim())) {
          findings.push({ ...at, text: component, where: 'no content (its default is English)' });
        }
      }
    }
    for (const [key, value] of Object.entries(node)) if (key !== 'loc' && key !== 'metadata' && typeof value === 'object') visit(value);
  };
  visit(ast.fragment);
  return findings;
}

// ---------------------------------------------------------------------------------------------------------

const show = (findings: Finding[]) => findings.map((f) => `  ${f.file}:${f.line} ${f.where} ${JSON.stringify(f.text)}`).join('\n');

describe('message catalogues', () => {
  it('have the same keys in English and Russian, none empty, with the same placeholders', () => {
    const problems = catalogueProblems({ en: readCatalogue('en'), ru: readCatalogue('ru') });
    if (problems.length) assert.fail(`Fix these messages in web/messages:\n  ${problems.join('\n  ')}`);
  });

  it('would report a missing key, an extra one, an empty one and a lost placeholder', () => {
    const problems = catalogueProblems({
      en: { $schema: 'x', a: 'A', b: 'Hello {name}', c: 'C', d: 'D' },
      ru: { $schema: 'y', a: 'А', b: 'Привет {имя}', d: ' ', e: 'Е' },
    });
    assert.deepEqual(problems.sort(), [
      'ru: b has placeholders {имя}, en has {name}',
      'ru: c is missing (it is in en)',
      'ru: d is empty',
      'ru: e is not in en',
    ]);
  });

  it('would report a count without plural forms, a language missing one of its forms, and a bad message with variants', () => {
    const plural = (input: string, match: Record<string, string>, more: string[] = []) => [
      {
        declarations: [`input ${input}`, ...more.map((name) => `input ${name}`), `local ${input}Plural = ${input}: plural`],
        selectors: [`${input}Plural`],
        match,
      },
    ];
    const problems = catalogueProblems({
      en: {
        fine: plural('count', { 'countPlural=one': '{count} follower', 'countPlural=other': '{count} followers' }),
        wild: plural('n', { 'nPlural=one': '{n} day', 'nPlural=*': '{n} days' }),
        bare: 'Followers: {count}',
        total: plural('total', { 'totalPlural=one': '{done} of {total} item', 'totalPlural=other': '{done} of {total} items' }, ['done']),
        short: plural('count', { 'countPlural=other': '{count} items' }),
        odd: [{ match: { x: 1 } }],
        undeclared: plural('count', { 'countPlural=*': '{count} of {max}' }),
        other: 'Balance: {amount}',
      },
      ru: {
        fine: plural('count', {
          'countPlural=one': '{count} подписчик',
          'countPlural=few': '{count} подписчика',
          'countPlural=many': '{count} подписчиков',
          'countPlural=other': '{count} подписчика',
        }),
        wild: plural('n', { 'nPlural=one': '{n} день', 'nPlural=few': '{n} дня', 'nPlural=*': '{n} дней' }),
        bare: plural('count', {
          'countPlural=one': '{count} подписчик',
          'countPlural=few': '{count} подписчика',
          'countPlural=many': '{count} подписчиков',
          'countPlural=other': '{count} подписчика',
        }),
        total: plural('total', { 'totalPlural=one': '{done} из {total} элемента', 'totalPlural=other': '{done} из {total} элементов' }, ['done']),
        short: plural('count', {
          'countPlural=one': '{count} элемент',
          'countPlural=few': '{count} элемента',
          'countPlural=many': '{count} элементов',
          'countPlural=other': '{count} элемента',
        }),
        odd: 'Странно',
        undeclared: plural('count', { 'countPlural=*': '{count} из {max}' }),
        other: 'Баланс: {amount}',
      },
    });
    assert.deepEqual(problems.sort(), [
      'en: bare shows the number {count} without plural forms',
      'en: odd is neither a string nor a message with variants',
      'en: short has no one form of {count}',
      'en: undeclared shows {max}, which it does not declare',
      'ru: total has no few, many form of {total}',
      'ru: undeclared shows {max}, which it does not declare',
    ]);
  });
});

describe('plural forms', () => {
  it('are picked by each language’s plural rules (Intl.PluralRules): one and other in English; one, few and many in Russian', () => {
    const en = { locale: 'en' } as const;
    const ru = { locale: 'ru' } as const;
    assert.deepEqual(
      [1, 2, 5].map((count) => m.creator_followers_count({ count }, en)),
      ['1 follower', '2 followers', '5 followers'],
    );
    assert.deepEqual(
      [1, 2, 5, 11, 21, 22, 25].map((count) => m.creator_followers_count({ count }, ru)),
      ['1 подписчик', '2 подписчика', '5 подписчиков', '11 подписчиков', '21 подписчик', '22 подписчика', '25 подписчиков'],
    );
    assert.equal(m.timeline_children({ count: 2 }, ru), '2 события');
    assert.equal(m.payouts_bulk_done({ done: 2, total: 5 }, ru), 'Одобрено 2 из 5 заявок');
    assert.equal(m.payouts_bulk_done({ done: 1, total: 1 }, en), '1 of 1 application approved');
    assert.deepEqual(
      [1, 2, 5, 21].map((total) => m.notifications_progress({ sent: 1, total }, ru)),
      ['1 из 1 человека', '1 из 2 человек', '1 из 5 человек', '1 из 21 человека'],
    );
    assert.equal(m.notifications_audience_reaches({ count: 1 }, en), 'Reaches 1 person now.');
    assert.equal(m.notifications_audience_reaches({ count: 3 }, ru), 'Сейчас получат 3 человека.');
  });
});

describe('codes the API sends', () => {
  it('show by the label their module declares (GET /api/console/labels), or as they are if none does', () => {
    setLabels({
      codes: { role: { owner: { en: 'Owner', ru: 'Владелец' } }, moderation_kind: { photo: { en: 'Photos', ru: 'Фото', tone: 'blue' } } },
      events: {},
    });
    assert.equal(codeLabel('role', 'owner'), 'Owner');
    assert.equal(codeLabel('moderation_kind', 'photo'), 'Photos');
    assert.equal(codeTone('moderation_kind', 'photo'), 'blue');
    assert.equal(codeTone('role', 'owner'), 'warm-gray', 'a code without a tone is a neutral kind');
    assert.equal(codeLabel('moderation_kind', 'reports'), 'reports');
    assert.equal(menuIconText('open'), 'Open menu');
    assert.equal(selectionText('clearAll'), 'Clear all selected items');
  });
});

describe('user-facing text of the console', () => {
  const files = sources();

  it('finds the components', () => {
    assert.ok(files.filter((file) => file.endsWith('.svelte')).length > 50, 'the walk of web/src found the components');
  });

  it('comes from the message catalogues: no literal text in a component', () => {
    const findings = files.flatMap((file) => literalTexts(readFileSync(file, 'utf8'), relative(web, file)));
    const refused = findings.filter((finding) => !allowed(finding));
    if (refused.length)
      assert.fail(`Literal user-facing text; move it to web/messages/{en,ru}.json (or, if it is a code, to ALLOWED with a reason):\n${show(refused)}`);
    const unused = ALLOWED.filter((entry) => !findings.some((finding) => finding.text === entry.text));
    assert.deepEqual(unused, [], 'allow-list entries that match nothing any more');
  });

  it('passes translated text to the Carbon props that default to English', () => {
    const findings = files.filter((file) => file.endsWith('.svelte')).flatMap((file) => carbonDefaults(readFileSync(file, 'utf8'), relative(web, file)));
    if (findings.length) assert.fail(`Carbon components showing their English defaults:\n${show(findings)}`);
  });

  it('would report literal text, literal text props and Carbon defaults in a component', () => {
    const fixture = [
      '<script lang="ts">',
      "  import { Modal, SkipToContent, DatePicker } from 'carbon-components-svelte';",
      "  import { m } from '$lib/paraglide/messages.js';",
      "  const columns = [{ key: 'name', label: 'Name' }];",
      '  let ok = $state(false);',
      '</script>',
      '',
      '<SkipToContent />',
      '<h1>{m.app_name()} — 3 ✓</h1>',
      '<p class="note">Saved {ok ? m.saved() : \'not yet\'}</p>',
      '<Modal modalHeading={m.close()} primaryButtonText="Delete" iconDescription={m.close()} secondaryButtonText={ok ? \'Cancel\' : m.cancel()} />',
      '<Modal modalHeading={m.close()} primaryButtonText={m.delete()} on:close={() => (ok = false)} />',
      '<input placeholder="Search…" aria-label={m.search_label()} type="text" />',
      '<DatePicker />',
      '<span>English</span>',
      '<div style:color="red" class="x" title={m.close()}>{@html m.app_name()}</div><svelte:head><style>p { color: red }</style></svelte:head>',
    ].join('\n');
    assert.deepEqual(
      literalTexts(fixture, 'Fixture.svelte').map((f) => `${f.line} ${f.where} ${f.text}`),
      [
        '10 text Saved',
        '10 text not yet',
        '11 primaryButtonText= Delete',
        '11 secondaryButtonText= Cancel',
        '13 placeholder= Search…',
        '15 text English',
        '4 label: Name',
      ],
    );
    assert.ok(allowed({ file: 'Fixture.svelte', line: 15, text: 'English', where: 'text' }));
    assert.deepEqual(
      carbonDefaults(fixture, 'Fixture.svelte').map((f) => `${f.line} ${f.text} ${f.where}`),
      [
        '8 SkipToContent no content (its default is English)',
        '12 Modal no iconDescription (its default is English)',
        '14 DatePicker a Carbon component whose English defaults are not reviewed (add it to CARBON)',
      ],
    );
    assert.deepEqual(
      literalTexts("export const tabs = [{ id: 'a', label: () => m.tab_a() }, { id: 'b', title: 'Balance' }];", 'tabs.ts').map((f) => f.text),
      ['Balance'],
    );
  });
});

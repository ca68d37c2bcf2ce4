import jsonata from 'jsonata';
import { readFileSync } from 'node:fs';
import { ErrorCode, MarketplaceError } from '@aim/contracts';

type ExpressionNode = { type?: string; value?: unknown; steps?: ExpressionNode[] } & Record<string, unknown>;

/** What one evaluation may spend: a pipeline author must not be able to freeze the engine. */
export interface ExpressionLimits {
  /**
   * Time one evaluation may work (JSONata evaluates on the event loop): wall time, but a wait for a core
   * does not count (on a busy machine a process may wait far longer than a small expression works).
   */
  timeoutMs: number;
  /** Nesting of evaluation: recursion that never ends stops here. */
  maxDepth: number;
  /** Items in any list the expression builds. */
  maxItems: number;
}

export const DEFAULT_EXPRESSION_LIMITS: ExpressionLimits = { timeoutMs: 100, maxDepth: 500, maxItems: 100_000 };

/**
 * CPU time this thread has worked, in ms: Linux's per-thread scheduler clock (/proc/thread-self/schedstat,
 * nanoseconds on a core); elsewhere the whole process's CPU time, which can only run ahead of the thread's.
 */
function threadCpuMs(): number {
  try {
    return Number(readFileSync('/proc/thread-self/schedstat', 'latin1').split(' ')[0]) / 1e6;
  } catch {
    const { user, system } = process.cpuUsage();
    return (user + system) / 1000;
  }
}

/** Where JSONata looks for a function to call as it enters each node of an expression. */
const EVALUATE_ENTRY = Symbol.for('jsonata.__evaluate_entry');

/** JSONata's own guardrail codes: stack too deep, too long, sequence too long, range too large. */
const LIMIT_CODES: Record<string, (limits: ExpressionLimits) => string> = {
  D1011: (limits) => `it nests deeper than ${limits.maxDepth} levels (a recursion that never ends?)`,
  D1012: (limits) => `it worked longer than ${limits.timeoutMs} ms`,
  D2015: (limits) => `it builds a list longer than ${limits.maxItems} items`,
  D2014: () => 'it builds a range of more than 10,000,000 numbers',
};

/**
 * Conditions, for-each lists and bound parameters are JSONata expressions: a well-kept language with
 * no access to the process (no eval, no globals), evaluated within limits of time, depth and size.
 * Compiled once per text.
 */
export class PipelineExpressions {
  private readonly compiled = new Map<string, jsonata.Expression>();

  constructor(readonly limits: ExpressionLimits = DEFAULT_EXPRESSION_LIMITS) {}

  /** Throws MarketplaceError(PIPELINE_INVALID) with the parser's message when the text is not JSONata. */
  compile(text: string): jsonata.Expression {
    let expression = this.compiled.get(text);
    if (!expression) {
      try {
        expression = jsonata(text, { stack: this.limits.maxDepth, sequence: this.limits.maxItems });
        expression.assign(EVALUATE_ENTRY as unknown as string, this.timeGuard());
      } catch (error) {
        const { message, position } = error as { message: string; position?: number };
        throw new MarketplaceError(ErrorCode.PipelineInvalid, `${message}${position !== undefined ? ` at character ${position}` : ''}`);
      }
      this.compiled.set(text, expression);
    }
    return expression;
  }

  /**
   * Called by JSONata as it enters each node. Every 32 nodes the wall time since the evaluation began is
   * looked at (cheap); once it is past the limit, the CPU time the event-loop thread has worked since then
   * decides: waiting for a core on a busy machine is not the expression's doing.
   */
  private timeGuard() {
    const started = new WeakMap<object, { wall: number; cpu: number; nodes: number }>();
    const limitMs = this.limits.timeoutMs;
    return (_node: unknown, _input: unknown, environment: { base?: object }) => {
      const evaluation = environment.base ?? environment;
      let state = started.get(evaluation);
      if (!state) started.set(evaluation, (state = { wall: performance.now(), cpu: threadCpuMs(), nodes: 0 }));
      if (++state.nodes % 32 !== 0 || performance.now() - state.wall <= limitMs) return;
      if (threadCpuMs() - state.cpu > limitMs) throw { code: 'D1012', value: limitMs };
    };
  }

  async evaluate(text: string, context: Record<string, unknown>): Promise<unknown> {
    try {
      const result = await this.compile(text).evaluate(context);
      // JSONata answers lists as sequences with extra fields; give callers plain JSON.
      return result !== null && typeof result === 'object' ? JSON.parse(JSON.stringify(result)) : result;
    } catch (error) {
      const limit = LIMIT_CODES[(error as { code?: string })?.code ?? ''];
      if (limit) throw new MarketplaceError(ErrorCode.ExpressionLimit, `the expression "${shorten(text)}" was stopped: ${limit(this.limits)}`);
      throw MarketplaceError.from(error, ErrorCode.InvalidParameters);
    }
  }

  /** The top-level names an expression reads (`detect` in `$count(detect.faces) > 0`). */
  rootNames(text: string): Set<string> {
    const names = new Set<string>();
    collectRootNames(this.compile(text).ast() as ExpressionNode, false, names);
    return names;
  }
}

function collectRootNames(node: unknown, insidePath: boolean, names: Set<string>): void {
  if (Array.isArray(node)) {
    node.forEach((child) => collectRootNames(child, false, names));
    return;
  }
  if (!node || typeof node !== 'object') return;
  const current = node as ExpressionNode;
  if (current.type === 'path' && Array.isArray(current.steps)) {
    const [first] = current.steps;
    if (first?.type === 'name') names.add(String(first.value));
    current.steps.forEach((step) => collectRootNames(step, true, names));
    return;
  }
  if (current.type === 'name' && !insidePath) names.add(String(current.value));
  for (const [key, child] of Object.entries(current)) {
    if (key !== 'steps' && child && typeof child === 'object') collectRootNames(child, false, names);
  }
}

function shorten(text: string): string {
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

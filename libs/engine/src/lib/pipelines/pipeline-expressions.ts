import jsonata from 'jsonata';
import { ErrorCode, MarketplaceError } from '@aim/contracts';

type ExpressionNode = { type?: string; value?: unknown; steps?: ExpressionNode[] } & Record<string, unknown>;

/**
 * Conditions, for-each lists and bound parameters are JSONata expressions: a well-kept language with
 * no access to the process (no eval, no globals). Compiled once per text.
 */
export class PipelineExpressions {
  private readonly compiled = new Map<string, jsonata.Expression>();

  /** Throws MarketplaceError(PIPELINE_INVALID) with the parser's message when the text is not JSONata. */
  compile(text: string): jsonata.Expression {
    let expression = this.compiled.get(text);
    if (!expression) {
      try {
        expression = jsonata(text);
      } catch (error) {
        const { message, position } = error as { message: string; position?: number };
        throw new MarketplaceError(ErrorCode.PipelineInvalid, `${message}${position !== undefined ? ` at character ${position}` : ''}`);
      }
      this.compiled.set(text, expression);
    }
    return expression;
  }

  async evaluate(text: string, context: Record<string, unknown>): Promise<unknown> {
    try {
      const result = await this.compile(text).evaluate(context);
      // JSONata answers lists as sequences with extra fields; give callers plain JSON.
      return result !== null && typeof result === 'object' ? JSON.parse(JSON.stringify(result)) : result;
    } catch (error) {
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

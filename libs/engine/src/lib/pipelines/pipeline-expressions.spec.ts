import { PipelineExpressions } from './pipeline-expressions';

describe('PipelineExpressions', () => {
  const expressions = new PipelineExpressions();

  it('evaluates conditions and lists against a job context', async () => {
    const context = { detect: { faces: [{ box: { x: 1 } }, { box: { x: 2 } }] }, params: { min: 1 } };
    expect(await expressions.evaluate('$count(detect.faces) > params.min', context)).toBe(true);
    expect(await expressions.evaluate('detect.faces.box.x', context)).toEqual([1, 2]);
  });

  it('finds the names an expression reads, not the fields below them or lambda variables', () => {
    expect([...expressions.rootNames('$count(detect.faces) > 0 and params.x = 1')].sort()).toEqual(['detect', 'params']);
    expect([...expressions.rootNames('item')]).toEqual(['item']);
    expect([...expressions.rootNames('$map(detect.faces, function($f, $i) { {"l": analyse[$i].age} })')].sort()).toEqual([
      'analyse',
      'detect',
    ]);
  });

  it('answers a syntax error with its position and sees nothing of the process', async () => {
    expect(() => expressions.compile('a +')).toThrow(/at character 3/);
    expect(await expressions.evaluate('constructor', {})).toBeUndefined();
    expect(await expressions.evaluate('$eval("process.env")', {})).toBeUndefined();
    expect(await expressions.evaluate('require', {})).toBeUndefined();
  });

  it('stops an expression that would never end, or run long, or build a huge list, with EXPRESSION_LIMIT', async () => {
    // A tail call runs in a loop (JSONata optimises it): the time limit stops it; a deep one the depth limit.
    const loop = expressions.evaluate('($f := function($x){$f($x)}; $f(1))', {});
    await expect(loop).rejects.toMatchObject({ code: 'EXPRESSION_LIMIT', message: expect.stringMatching(/worked longer than 100 ms/) });
    const deep = expressions.evaluate('($f := function($x){1 + $f($x)}; $f(1))', {});
    await expect(deep).rejects.toMatchObject({ code: 'EXPRESSION_LIMIT', message: expect.stringMatching(/deeper than 500 levels/) });
    const long = expressions.evaluate('$reduce([1..3000000], function($a, $b){$a + $b})', {});
    await expect(long).rejects.toMatchObject({ code: 'EXPRESSION_LIMIT' });
    const huge = new PipelineExpressions({ timeoutMs: 5000, maxDepth: 500, maxItems: 1000 }).evaluate('$map([1..5000], function($v){$v})', {});
    await expect(huge).rejects.toMatchObject({ code: 'EXPRESSION_LIMIT', message: expect.stringMatching(/longer than 1000 items/) });
    // Within the limits, the same kinds of expressions work.
    expect(await expressions.evaluate('($f := function($x){$x < 10 ? $f($x + 1) : $x}; $f(1))', {})).toBe(10);
    expect(await expressions.evaluate('$reduce([1..1000], function($a, $b){$a + $b})', {})).toBe(500500);
  });

  it('counts the time an expression works, not the time its process waits (a busy machine is not the expression\'s doing)', async () => {
    // Reading `slow` blocks the thread for 300 ms without working, as a process waiting for a core does.
    const context = {
      get slow() {
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 300);
        return 1;
      },
    };
    const started = Date.now();
    expect(await expressions.evaluate('slow + $count($map([1..200], function($v){ $v * 2 }))', context)).toBe(201);
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
  });
});

import { describe, expect, it } from 'vitest';
import { lbfgs, type Objective } from '../../../src/modules/simulation/lbfgs.js';

/** f = ½ Σ aᵢ xᵢ² − bᵢ xᵢ: minimum at xᵢ = bᵢ / aᵢ. */
function quadratic(a: number[], b: number[]): Objective {
  return (x, g) => {
    let f = 0;
    for (let i = 0; i < a.length; i++) {
      f += 0.5 * a[i]! * x[i]! ** 2 - b[i]! * x[i]!;
      g[i] = a[i]! * x[i]! - b[i]!;
    }
    return f;
  };
}

const rosenbrock: Objective = (x, g) => {
  const [u, v] = [x[0]!, x[1]!];
  g[0] = -2 * (1 - u) - 400 * u * (v - u * u);
  g[1] = 200 * (v - u * u);
  return (1 - u) ** 2 + 100 * (v - u * u) ** 2;
};

describe('L-BFGS', () => {
  it('an ill-conditioned quadratic (condition 1000) to the gradient tolerance', () => {
    const r = lbfgs(quadratic([1, 10, 1000], [1, 2, 3]), new Float64Array(3), { gtol: 1e-9, maxIter: 200, ftol: 0 });
    expect(r.reason).toBe('gtol');
    expect(r.gradMax).toBeLessThanOrEqual(1e-9);
    expect([...r.x].map((v) => Number(v.toFixed(8)))).toEqual([1, 0.2, 0.003]);
  });
  it('Rosenbrock from (−1.2, 1) to (1, 1)', () => {
    const r = lbfgs(rosenbrock, Float64Array.from([-1.2, 1]), { gtol: 1e-8, maxIter: 500 });
    expect(r.x[0]).toBeCloseTo(1, 5);
    expect(r.x[1]).toBeCloseTo(1, 5);
    expect(r.f).toBeLessThan(1e-10);
  });
  it('stops at maxIter, and does not modify x0', () => {
    const x0 = Float64Array.from([-1.2, 1]);
    const r = lbfgs(rosenbrock, x0, { maxIter: 3 });
    expect(r.reason).toBe('maxIter');
    expect(r.iterations).toBe(3);
    expect([...x0]).toEqual([-1.2, 1]);
  });
  it('already optimal: zero iterations', () => {
    const r = lbfgs(quadratic([2, 2], [2, 4]), Float64Array.from([1, 2]));
    expect(r).toMatchObject({ iterations: 0, reason: 'gtol', evaluations: 1 });
  });
  it('a warm start near the optimum needs fewer iterations than a cold one', () => {
    const a = Array.from({ length: 50 }, (_, i) => 1 + i * i);
    const b = Array.from({ length: 50 }, (_, i) => Math.sin(i));
    const first = lbfgs(quadratic(a, b), new Float64Array(50), { gtol: 1e-6, maxIter: 1000, ftol: 0 });
    const b2 = b.map((v, i) => v + 0.01 * Math.cos(i));
    const cold = lbfgs(quadratic(a, b2), new Float64Array(50), { gtol: 1e-6, maxIter: 1000, ftol: 0 });
    const warm = lbfgs(quadratic(a, b2), first.x, { gtol: 1e-6, maxIter: 1000, ftol: 0 });
    expect(cold.reason).toBe('gtol');
    expect(warm.reason).toBe('gtol');
    expect(warm.iterations).toBeLessThan(cold.iterations);
    for (let i = 0; i < 50; i++) expect(warm.x[i]).toBeCloseTo(b2[i]! / a[i]!, 5);
  });
});

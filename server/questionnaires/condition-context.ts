// Runs survey-core conditions (visibleIf/enableIf/requiredIf, expression validators) on an answer set, fast.
//
// survey-core's ConditionRunner.runValues(values) reads each {variable} through its VariableGetterContext, which
// finds a top-level name by scanning every answer key case-insensitively. For the monitor's long conditions
// (20+ variables, 40 answer keys) that scan is two thirds of the evaluation time. AnswersContext is survey-core's
// own context class with only that top-level scan replaced by a lookup in a map built once from the
// questionnaire's names; operators, paths, indexes and nested (matrix row) lookups stay survey-core's. For answer
// sets whose keys are the questionnaire's names - the only ones that can pass - the result is identical.
import { ConditionRunner, ExpressionRunner } from 'survey-core';

export type RunCondition = (runner: ConditionRunner) => boolean;

type ContextClass = new (values: object) => object;

// survey-core does not export the class; take it from a runValues call (null if survey-core ever changes shape).
const BaseContext: ContextClass | null = (() => {
  try {
    const probe = new ConditionRunner('true') as unknown as {
      runContext: (ctx: object) => boolean;
      runValues: (v: object) => boolean;
    };
    let ctx: object | undefined;
    probe.runContext = (c) => {
      ctx = c;
      return true;
    };
    probe.runValues({});
    const cls = ctx?.constructor as ContextClass | undefined;
    return cls && typeof (cls.prototype as { getValueByItemCore?: unknown }).getValueByItemCore === 'function'
      ? cls
      : null;
  } catch {
    return null;
  }
})();

/**
 * A condition runner for answer sets of one questionnaire. `names` are all keys an answer set may have (question
 * names and comment keys); when two differ only in case survey-core's scan order matters, so the plain path is used.
 */
export function conditionRunnerFor(names: string[]): (data: Record<string, unknown>) => RunCondition {
  const contextFor = answersContextFor(names);
  if (!contextFor) return (data) => (runner) => safe(() => runner.runValues(data));
  return (data) => {
    const ctx = contextFor(data);
    return (runner) => safe(() => runner.runContext(ctx as never));
  };
}

/** The same for expressions (calculated values, expression questions): their value, or undefined when they throw. */
export function expressionRunnerFor(
  names: string[],
): (data: Record<string, unknown>, runner: ExpressionRunner) => unknown {
  const contextFor = answersContextFor(names);
  const run = (f: () => unknown) => {
    try {
      return f();
    } catch {
      return undefined;
    }
  };
  if (!contextFor) return (data, runner) => run(() => runner.runValues(data));
  return (data, runner) => run(() => runner.runContext(contextFor(data) as never));
}

function answersContextFor(names: string[]): ((data: Record<string, unknown>) => object) | null {
  const byLower = new Map<string, string>();
  for (const n of names) byLower.set(n.toLowerCase(), n);
  if (!BaseContext || byLower.size !== names.length) return null;
  const base = BaseContext.prototype as { getValueByItemCore: (obj: unknown, name: string) => unknown };
  class AnswersContext extends BaseContext {
    constructor(private readonly root: Record<string, unknown>) {
      super(root);
    }
    getValueByItemCore(obj: unknown, name: string): unknown {
      if (obj !== this.root || !name) return base.getValueByItemCore.call(this, obj, name);
      const key = byLower.get(name.toLowerCase());
      return key !== undefined && Object.hasOwn(this.root, key) ? this.root[key] : undefined;
    }
  }
  return (data) => new AnswersContext(data);
}

function safe(run: () => boolean): boolean {
  try {
    return run() === true;
  } catch {
    return false;
  }
}

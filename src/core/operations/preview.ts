/** What an operation's read-only plan shares: the change it would make to the live venv, unlocked. */
import type { Target } from "../recording/target.ts";
import { isEmptyPlan, type Goal, type Plan, type Wanted } from "../transaction/plan.ts";
import { previewTransaction } from "../transaction/transaction.ts";

export interface Preview {
  plan: Plan;
  /** What the store lacks, so pip would download it. */
  fetch: Wanted[];
  /** Nothing to change: the venv already is the goal. */
  empty: boolean;
}

export function previewOf(target: Target, goal: Goal): Preview {
  const { plan, fetch } = previewTransaction(target, goal);
  return { plan, fetch, empty: isEmptyPlan(plan) };
}

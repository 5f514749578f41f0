/** Turn zod issues into one readable line per problem, with the JSON path where it happened. */
import type { ZodError } from 'zod';

export interface IssueAt {
  readonly path: string;
  readonly message: string;
}

export function describeZodIssues(error: ZodError): IssueAt[] {
  return error.issues.map((issue) => ({
    path: issue.path.length === 0 ? '(root)' : issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : p)).join('.').replace(/\.\[/g, '['),
    message: issue.message,
  }));
}

export function formatIssues(issues: readonly IssueAt[]): string {
  return issues.map((i) => `${i.path}: ${i.message}`).join('; ');
}

import { Token } from 'aws-cdk-lib';
import { invalid } from './validation';

/**
 * Checks a schedule expression the way EventBridge (rules and Scheduler) and Application
 * Auto Scaling parse it, so that an expression AWS would refuse fails `cdk synth` instead
 * of the deployment. `events.Schedule.expression()` and `appscaling.Schedule.expression()`
 * pass any string through; `Schedule.cron()` and `Schedule.rate()` always pass here.
 *
 * The forms (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-scheduled-rule-pattern.html,
 * https://docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html):
 * - `rate(<value> <unit>)`: a whole value of at least 1, the unit minute(s), hour(s) or
 *   day(s), singular for 1 and plural above;
 * - `cron(<minutes> <hours> <day-of-month> <month> <day-of-week> <year>)`: six fields, `?`
 *   in exactly one of day-of-month and day-of-week;
 * - `at(yyyy-mm-ddThh:mm:ss)`: one run, where the caller accepts it.
 *
 * Expressions that are still tokens are skipped.
 */
export function checkScheduleExpression(path: string, prop: string, expression: string, forms: ScheduleForm[]): void {
  if (Token.isUnresolved(expression)) {
    return;
  }
  const accepted = describeForms(forms);
  const refuse = (reason: string): never => invalid(path, prop, expression, `must be ${accepted}: ${reason}`);
  const match = /^(rate|cron|at)\((.*)\)$/.exec(expression);
  const form = match?.[1] as ScheduleForm | undefined;
  if (!match || !form) {
    return refuse('this is none of them');
  }
  if (!forms.includes(form)) {
    return refuse(`${form}(...) is not accepted here`);
  }
  const problem = { rate: rateProblem, cron: cronProblem, at: atProblem }[form](match[2]);
  if (problem) {
    refuse(problem);
  }
}

/** A kind of schedule expression. */
export type ScheduleForm = 'rate' | 'cron' | 'at';

const FORM_TEXT: Record<ScheduleForm, string> = {
  rate: 'rate(<value> <unit>) (a whole value of at least 1; minute, hour or day, plural above 1)',
  cron: 'cron(<minutes> <hours> <day-of-month> <month> <day-of-week> <year>) (six fields, "?" in day-of-month or in day-of-week)',
  at: 'at(yyyy-mm-ddThh:mm:ss)',
};

function describeForms(forms: ScheduleForm[]): string {
  const texts = forms.map((f) => FORM_TEXT[f]);
  return texts.length > 1 ? `${texts.slice(0, -1).join(', ')} or ${texts[texts.length - 1]}` : texts[0];
}

function rateProblem(body: string): string | undefined {
  const match = /^(\d+) (minute|minutes|hour|hours|day|days)$/.exec(body);
  if (!match) {
    return `"${body}" is not a whole number and a unit (minute(s), hour(s), day(s)) separated by one space`;
  }
  const value = Number(match[1]);
  if (value < 1) {
    return `the value ${value} is below 1`;
  }
  const plural = match[2].endsWith('s');
  if (value === 1 && plural) {
    return `a value of 1 takes the singular unit ${match[2].slice(0, -1)}`;
  }
  if (value > 1 && !plural) {
    return `a value above 1 takes the plural unit ${match[2]}s`;
  }
  return undefined;
}

/** The fields of a cron expression, in order: what each may hold, and its range of numbers. */
const CRON_FIELDS: Array<{ name: string; chars: RegExp; min: number; max: number }> = [
  { name: 'minutes', chars: /^[0-9,\-*/]+$/, min: 0, max: 59 },
  { name: 'hours', chars: /^[0-9,\-*/]+$/, min: 0, max: 23 },
  { name: 'day-of-month', chars: /^([0-9,\-*/LW]+|\?)$/, min: 1, max: 31 },
  { name: 'month', chars: /^[0-9A-Za-z,\-*/]+$/, min: 1, max: 12 },
  { name: 'day-of-week', chars: /^([0-9A-Za-z,\-*/L#]+|\?)$/, min: 1, max: 7 },
  { name: 'year', chars: /^[0-9,\-*/]+$/, min: 1970, max: 2199 },
];

function cronProblem(body: string): string | undefined {
  const fields = body.split(' ');
  if (fields.length !== 6 || fields.some((f) => f === '')) {
    return `${fields.filter((f) => f !== '').length} fields separated by single spaces, AWS needs 6 (a 5-field Unix cron lacks the year)`;
  }
  for (const [i, field] of fields.entries()) {
    const { name, chars, min, max } = CRON_FIELDS[i];
    if (!chars.test(field)) {
      return `the ${name} field "${field}" has characters that field does not allow`;
    }
    // the numbers of a range or list, not the step after "/" nor the nth after "#"
    const numbers = field.split(',').flatMap((part) => part.split(/[/#]/)[0].split('-')).filter((n) => /^\d+$/.test(n)).map(Number);
    const outOfRange = numbers.find((n) => n < min || n > max);
    if (outOfRange !== undefined) {
      return `the ${name} field "${field}" holds ${outOfRange}, outside ${min}-${max}`;
    }
  }
  const [dayOfMonth, dayOfWeek] = [fields[2], fields[4]];
  if ((dayOfMonth === '?') === (dayOfWeek === '?')) {
    return `day-of-month "${dayOfMonth}" and day-of-week "${dayOfWeek}": exactly one of them must be "?"`;
  }
  return undefined;
}

function atProblem(body: string): string | undefined {
  return /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/.test(body) ? undefined : `"${body}" is not a date and time yyyy-mm-ddThh:mm:ss`;
}

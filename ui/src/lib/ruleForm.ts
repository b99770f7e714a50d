// An automatic rule as its form edits it (keywords, categories and tags as comma-separated text)
// and back to what the core takes (`RuleInput`).

import type { Rule, RuleInput } from './api';

export interface RuleForm {
  name: string;
  enabled: boolean;
  channel: string[];
  keywords: string;
  category: string;
  segment: string[];
  priority: string[];
  team: string[];
  then_team: string | null;
  then_priority: string | null;
  then_assignee: string | null;
  then_tags: string;
  then_suggest: string | null;
}

const commas = (text: string) => text.split(',').map((s) => s.trim()).filter((s) => s !== '');

export function blankRule(): RuleForm {
  return { name: '', enabled: true, channel: [], keywords: '', category: '', segment: [], priority: [], team: [], then_team: null, then_priority: null, then_assignee: null, then_tags: '', then_suggest: null };
}

export function ruleForm(r: Rule): RuleForm {
  return {
    name: r.name,
    enabled: r.enabled,
    channel: [...(r.when.channel ?? [])],
    keywords: (r.when.keywords ?? []).join(', '),
    category: (r.when.category ?? []).join(', '),
    segment: [...(r.when.segment ?? [])],
    priority: [...(r.when.priority ?? [])],
    team: [...(r.when.team ?? [])],
    then_team: r.then.team ?? null,
    then_priority: r.then.priority ?? null,
    then_assignee: r.then.assignee ?? null,
    then_tags: (r.then.tags ?? []).join(', '),
    then_suggest: r.then.suggest ?? null
  };
}

type When = RuleInput['when'];
type Then = RuleInput['then'];

export function ruleInput(f: RuleForm): RuleInput {
  return {
    name: f.name,
    enabled: f.enabled,
    when: {
      channel: f.channel as NonNullable<When>['channel'],
      keywords: commas(f.keywords),
      category: commas(f.category),
      segment: f.segment,
      priority: f.priority as NonNullable<When>['priority'],
      team: f.team
    },
    then: {
      team: f.then_team,
      priority: f.then_priority as NonNullable<Then>['priority'],
      assignee: f.then_assignee,
      tags: commas(f.then_tags),
      suggest: f.then_suggest
    }
  };
}

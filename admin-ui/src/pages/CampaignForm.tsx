// Create a campaign (it starts as a DRAFT) or edit one. The server validates; its per-field problems are
// shown next to the fields they name.
import { useMutation, useQuery } from '@apollo/client/react';
import { CombinedGraphQLErrors } from '@apollo/client/errors';
import { useState, type FormEvent, type ReactNode } from 'react';
import { ErrorNote, Loading, PageHead, Panel } from '../components/ui';
import { toLocalInput } from '../format';
import { CAMPAIGN_PAGE, CREATE_CAMPAIGN, UPDATE_CAMPAIGN, type Campaign, type CampaignInput } from '../graphql/campaigns';
import { Link, navigate } from '../router';

interface Fields {
  name: string;
  startsAt: string;
  endsAt: string;
  budget: string;
  attributionWindowHours: string;
  productIds: string;
}

function initialFields(c?: Campaign): Fields {
  const now = Date.now();
  return {
    name: c?.name ?? '',
    startsAt: toLocalInput(c?.startsAt ?? new Date(now)),
    endsAt: toLocalInput(c?.endsAt ?? new Date(now + 14 * 86_400_000)),
    budget: String(c?.budget ?? 1000),
    attributionWindowHours: String(c?.attributionWindowHours ?? 24),
    productIds: c?.productIds.join(', ') ?? '',
  };
}

const FIELD_NAMES = ['name', 'startsAt', 'endsAt', 'budget', 'attributionWindowHours', 'productIds'];

/** Problems the server named, by input field (the last part of `input.endsAt`, `input.productIds.3`…). */
function problemsByField(error: unknown): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  if (!CombinedGraphQLErrors.is(error)) return out;
  for (const e of error.errors) {
    for (const p of (e.extensions?.problems as Array<{ field: string; message: string }> | undefined) ?? []) {
      const key = p.field.split('.').find((part) => FIELD_NAMES.includes(part)) ?? '';
      (out[key] ??= []).push(key ? p.message : `${p.field}: ${p.message}`);
    }
  }
  return out;
}

export function CampaignFormPage({ id }: { id?: string }) {
  // Any window works for reading the fields; the series is not shown here.
  const [span] = useState(() => ({ from: new Date(Date.now() - 60_000).toISOString(), to: new Date().toISOString(), bucket: 'MINUTE' as const }));
  const existing = useQuery(CAMPAIGN_PAGE, { variables: { id: id ?? '', ...span }, skip: !id, fetchPolicy: 'network-only' });
  if (id && existing.loading) return <Loading />;
  if (id && !existing.data?.campaign) return <ErrorNote error={existing.error ?? new Error(`No campaign ${id}`)} />;
  return <CampaignForm campaign={existing.data?.campaign ?? undefined} />;
}

function CampaignForm({ campaign }: { campaign?: Campaign }) {
  const [fields, setFields] = useState<Fields>(() => initialFields(campaign));
  const [create, created] = useMutation(CREATE_CAMPAIGN);
  const [update, updated] = useMutation(UPDATE_CAMPAIGN);
  const [localProblem, setLocalProblem] = useState<string | null>(null);
  const error = created.error ?? updated.error;
  const problems = problemsByField(error);
  const busy = created.loading || updated.loading;

  const set = (k: keyof Fields) => (e: { target: { value: string } }) => setFields((f) => ({ ...f, [k]: e.target.value }));

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const startsAt = new Date(fields.startsAt);
    const endsAt = new Date(fields.endsAt);
    if (Number.isNaN(startsAt.getTime()) || Number.isNaN(endsAt.getTime())) return setLocalProblem('Start and end need a date and time.');
    setLocalProblem(null);
    const input: CampaignInput = {
      name: fields.name,
      startsAt: startsAt.toISOString(),
      endsAt: endsAt.toISOString(),
      budget: Number(fields.budget),
      attributionWindowHours: Number(fields.attributionWindowHours),
      productIds: fields.productIds.split(/[\s,]+/).filter(Boolean),
    };
    try {
      if (campaign) {
        await update({ variables: { id: campaign.id, input } });
        navigate(`/campaigns/${encodeURIComponent(campaign.id)}`);
      } else {
        const res = await create({ variables: { input } });
        if (res.data) navigate(`/campaigns/${encodeURIComponent(res.data.createCampaign.id)}`);
      }
    } catch {
      // Shown from the mutation's error state.
    }
  };

  const field = (k: keyof Fields, label: string, input: ReactNode, hint?: string) => (
    <div className={`field ${problems[k] ? 'field-bad' : ''}`}>
      <label htmlFor={`f-${k}`}>{label}</label>
      {input}
      {hint && !problems[k] && <div className="muted small">{hint}</div>}
      {problems[k]?.map((m) => (
        <div key={m} className="field-problem">
          {m}
        </div>
      ))}
    </div>
  );

  return (
    <>
      <PageHead
        title={campaign ? `Edit ${campaign.name}` : 'New campaign'}
        subtitle={campaign ? `Status ${campaign.status.toLowerCase()}; change it on the campaign page.` : 'A new campaign is a draft until you activate it.'}
      />
      <Panel>
        <form className="form" onSubmit={submit}>
          {field('name', 'Name', <input id="f-name" value={fields.name} onChange={set('name')} required maxLength={200} />)}
          <div className="form-row">
            {field('startsAt', 'Starts', <input id="f-startsAt" type="datetime-local" value={fields.startsAt} onChange={set('startsAt')} required />)}
            {field('endsAt', 'Ends', <input id="f-endsAt" type="datetime-local" value={fields.endsAt} onChange={set('endsAt')} required />)}
          </div>
          <div className="form-row">
            {field('budget', 'Budget', <input id="f-budget" type="number" min={0} step="0.01" value={fields.budget} onChange={set('budget')} required />)}
            {field(
              'attributionWindowHours',
              'Attribution window (hours)',
              <input id="f-attributionWindowHours" type="number" min={1} step={1} value={fields.attributionWindowHours} onChange={set('attributionWindowHours')} required />,
              'A purchase without a campaign id is credited to the campaign its shopper last clicked within this window.',
            )}
          </div>
          {field(
            'productIds',
            'Products',
            <textarea id="f-productIds" rows={3} value={fields.productIds} onChange={set('productIds')} placeholder="sku-1, sku-2" />,
            'Product ids, separated by commas or spaces. Empty: any product.',
          )}
          {localProblem && <div className="note note-error">{localProblem}</div>}
          {error && (!Object.keys(problems).length || problems['']) && <ErrorNote error={error} what="Not saved" />}
          <div className="actions">
            <button type="submit" className="primary" disabled={busy}>
              {busy ? 'Saving…' : campaign ? 'Save changes' : 'Create draft'}
            </button>
            <Link className="button" to={campaign ? `/campaigns/${encodeURIComponent(campaign.id)}` : '/campaigns'}>
              Cancel
            </Link>
          </div>
        </form>
      </Panel>
    </>
  );
}

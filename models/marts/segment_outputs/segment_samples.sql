-- Win-back test samples (catalog, "Win-back samples"): for each segment of var
-- winback_samples, k = min(n, max(ceil(share × n), winback_sample_minimum)) members, the k
-- with the smallest lower-case hex md5(profile_id), ties by profile_id. Deterministic, the
-- same on every run and engine. ceil(share × n) is computed in integers from the share's
-- decimal text: ceil(p/q × n) = (p × n + q − 1) div q.
{%- set samples = var('winback_samples') %}
with

segment_memberships as (
    select * from {{ ref('segment_memberships') }}
),

sample_shares as (
    {%- for segment_name, share in samples.items() %}
    {%- if 'seg_' ~ segment_name not in personas.segment_models() %}
    {{- exceptions.raise_compiler_error("var winback_samples names '" ~ segment_name ~ "', which is not a segment (see personas.segment_models()).") }}
    {%- endif %}
    {%- set fraction = personas.share_as_fraction(segment_name, share) %}
    select
        '{{ segment_name }}' as segment_name,
        {{ fraction[0] }} as share_numerator,
        {{ fraction[1] }} as share_denominator
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}
),

segment_sizes as (
    select
        sample_shares.segment_name,
        sample_shares.share_numerator,
        sample_shares.share_denominator,
        count(segment_memberships.profile_id) as segment_size
    from sample_shares
    left join segment_memberships
        on sample_shares.segment_name = segment_memberships.segment_name
    group by
        sample_shares.segment_name,
        sample_shares.share_numerator,
        sample_shares.share_denominator
),

sample_sizes as (
    select
        segment_name,
        segment_size,
        least(
            segment_size,
            greatest(
                {{ personas.integer_divide(
                    'share_numerator * segment_size + share_denominator - 1',
                    'share_denominator') }},
                {{ var('winback_sample_minimum') }}
            )
        ) as sample_size
    from segment_sizes
),

ranked_members as (
    select
        segment_memberships.segment_name,
        segment_memberships.profile_id,
        {{ dbt.hash('segment_memberships.profile_id') }} as profile_id_md5,
        row_number() over (
            partition by segment_memberships.segment_name
            order by {{ dbt.hash('segment_memberships.profile_id') }}, segment_memberships.profile_id
        ) as sample_rank
    from segment_memberships
    inner join sample_sizes
        on segment_memberships.segment_name = sample_sizes.segment_name
),

final as (
    select
        ranked_members.segment_name,
        ranked_members.profile_id,
        ranked_members.profile_id_md5,
        ranked_members.sample_rank,
        sample_sizes.sample_size,
        sample_sizes.segment_size
    from ranked_members
    inner join sample_sizes
        on ranked_members.segment_name = sample_sizes.segment_name
    where ranked_members.sample_rank <= sample_sizes.sample_size
)

select * from final

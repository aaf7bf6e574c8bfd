{#- How concentrated revenue is: which segments hold it, and what share the best buyers bring
    (a Pareto view). Revenue is each profile's total_revenue in dim_profiles: every purchase
    on or before D (placed orders with a profile; guest orders have no profile to count).

    Two kinds of rows (concentration_group):
    - 'segment': one per segment (members, the buyers among them, their revenue, its share of
      all revenue and the buyers' share of all buyers). Segments overlap, so these shares do
      not add up to 1 across segments; each is at most 1.
    - 'top_buyers': the top N % of buyers by revenue (N in var
      revenue_concentration_top_percents, default [1, 5, 10, 20, 50]; ceil(N % × buyers)
      buyers, ties broken by profile_id), e.g. "the top 20 % bring 61 % of revenue".
    revenue_rank ranks the rows of each kind by revenue (1 = most). -#}
{%- set top_percents = var('revenue_concentration_top_percents', [1, 5, 10, 20, 50]) -%}
{%- set invalid = [] -%}
{%- for percent in top_percents if percent is not number or percent != percent | int or percent < 1 or percent > 100 -%}
{%- do invalid.append(percent | string) -%}
{%- endfor -%}
{%- if invalid -%}
{{- exceptions.raise_compiler_error(
    "var revenue_concentration_top_percents holds whole percents from 1 to 100; got " ~ invalid | join(', ')) -}}
{%- endif %}
with

dim_profiles as (
    select * from {{ ref('dim_profiles') }}
),

segment_memberships as (
    select * from {{ ref('segment_memberships') }}
),

segment_summary as (
    select * from {{ ref('segment_summary') }}
),

buyers as (
    select
        profile_id,
        {{ personas.money_to_cents('total_revenue') }} as revenue_cents
    from dim_profiles
    where has_purchased
),

totals as (
    select
        count(*) as buyer_count,
        coalesce(sum(revenue_cents), 0) as revenue_cents
    from buyers
),

segment_revenue as (
    select
        segment_summary.segment_name,
        segment_summary.members,
        count(buyers.profile_id) as buyer_count,
        coalesce(sum(buyers.revenue_cents), 0) as revenue_cents
    from segment_summary
    left join segment_memberships
        on segment_summary.segment_name = segment_memberships.segment_name
    left join buyers
        on segment_memberships.profile_id = buyers.profile_id
    group by
        segment_summary.segment_name,
        segment_summary.members
),

ranked_buyers as (
    select
        profile_id,
        revenue_cents,
        row_number() over (order by revenue_cents desc, profile_id asc) as buyer_rank
    from buyers
),

top_percents as (
    {%- for percent in top_percents %}
    select
        'top_{{ percent | int }}_percent_of_buyers' as group_name,
        {{ percent | int }} as top_percent
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}
),

top_groups as (
    select
        top_percents.group_name,
        {{ personas.integer_divide('top_percents.top_percent * totals.buyer_count + 99', '100') }} as group_size
    from top_percents
    cross join totals
),

top_revenue as (
    select
        top_groups.group_name,
        top_groups.group_size,
        count(ranked_buyers.profile_id) as buyer_count,
        coalesce(sum(ranked_buyers.revenue_cents), 0) as revenue_cents
    from top_groups
    left join ranked_buyers
        on top_groups.group_size >= ranked_buyers.buyer_rank
    group by
        top_groups.group_name,
        top_groups.group_size
),

concentration_groups as (
    select
        'segment' as concentration_group,
        segment_name as group_name,
        members as profiles,
        buyer_count,
        revenue_cents
    from segment_revenue
    union all
    select
        'top_buyers' as concentration_group,
        group_name,
        group_size as profiles,
        buyer_count,
        revenue_cents
    from top_revenue
),

final as (
    select
        concentration_groups.concentration_group,
        concentration_groups.group_name,
        concentration_groups.profiles,
        concentration_groups.buyer_count as buyers,
        {{ personas.cents_to_money('concentration_groups.revenue_cents') }} as revenue,
        {{ personas.exact_ratio('concentration_groups.revenue_cents', 'totals.revenue_cents') }}
            as share_of_revenue,
        {{ personas.exact_ratio('concentration_groups.buyer_count', 'totals.buyer_count') }}
            as share_of_buyers,
        rank() over (
            partition by concentration_groups.concentration_group
            order by concentration_groups.revenue_cents desc
        ) as revenue_rank
    from concentration_groups
    cross join totals
)

select * from final

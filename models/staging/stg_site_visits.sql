-- The staged site events: every contract column of raw_site_visits, typed (declared in
-- models/staging/_raw__sources.yml; a column added there appears here), plus the day.
with

base_site_visits as (
    select * from {{ ref('base_site_visits') }}
),

final as (
    select
        {{- personas.contract_columns('raw_site_visits', typed=true, trailing=true) }}
        cast(occurred_at_parsed as date) as occurred_on
    from base_site_visits
    where not is_collapsed_duplicate and quarantine_reason is null
)

select * from final

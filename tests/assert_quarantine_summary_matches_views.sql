-- dq_quarantine_summary is read from int_checked_row_outcomes, not from the quarantine views;
-- this test checks that every stg_<entity>_quarantine view holds, per reason and failing
-- column, exactly the rows the summary counts (both ways: a combination missing on either side
-- fails too). Fails with the entity, the reason, the column and both counts.
{%- set entities = personas.checked_entities() | map('replace', 'raw_', '', 1) | list %}
with

dq_quarantine_summary as (
    select * from {{ ref('dq_quarantine_summary') }}
),

view_counts as (
    {%- for name in entities %}
    select
        'raw_{{ name }}' as entity,
        quarantine_reason,
        quarantine_column,
        count(*) as view_rows
    from {{ ref('stg_' ~ name ~ '_quarantine') }}
    group by quarantine_reason, quarantine_column
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
),

final as (
    select
        coalesce(view_counts.entity, dq_quarantine_summary.entity) as entity,
        coalesce(view_counts.quarantine_reason, dq_quarantine_summary.quarantine_reason) as quarantine_reason,
        coalesce(view_counts.quarantine_column, dq_quarantine_summary.quarantine_column) as quarantine_column,
        view_counts.view_rows,
        dq_quarantine_summary.quarantined_rows
    from view_counts
    full outer join dq_quarantine_summary
        on
            view_counts.entity = dq_quarantine_summary.entity
            and view_counts.quarantine_reason = dq_quarantine_summary.quarantine_reason
            and view_counts.quarantine_column = dq_quarantine_summary.quarantine_column
)

select * from final
where view_rows is null or quarantined_rows is null or view_rows != quarantined_rows

-- days_before: n days back in integer day arithmetic. One row per failing case.
{% set cases = [
    ('2026-05-31 - 30 days is 2026-05-01', '2026-05-31', 30, '2026-05-01'),
    ('2026-05-31 - 60 days is 2026-04-01', '2026-05-31', 60, '2026-04-01'),
    ('2026-05-31 - 90 days is 2026-03-02 (not 3 months: 2026-02-28)', '2026-05-31', 90, '2026-03-02'),
    ('2026-05-31 - 7 days is 2026-05-24', '2026-05-31', 7, '2026-05-24'),
    ('2026-05-31 - 365 days is 2025-05-31', '2026-05-31', 365, '2025-05-31'),
    ('2026-05-31 - 0 days is D', '2026-05-31', 0, '2026-05-31'),
    ('2024-03-01 - 1 day is the leap day 2024-02-29', '2024-03-01', 1, '2024-02-29'),
    ('2026-03-01 - 1 day is 2026-02-28', '2026-03-01', 1, '2026-02-28'),
    ('2026-01-01 - 1 day crosses the year to 2025-12-31', '2026-01-01', 1, '2025-12-31'),
    ('2024-05-31 - 366 days crosses a leap year to 2023-05-31', '2024-05-31', 366, '2023-05-31'),
] %}

with

cases as (
    {% for case_name, as_of, days, expected in cases %}
        select
            '{{ case_name }}' as case_name,
            cast('{{ expected }}' as date) as expected_on,
            cast({{ personas.days_before("cast('" ~ as_of ~ "' as date)", days) }} as date) as actual_on
        {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

final as (
    select *
    from cases
    where not coalesce(actual_on = expected_on, false)
)

select * from final

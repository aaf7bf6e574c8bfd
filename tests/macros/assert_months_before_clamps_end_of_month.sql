-- months_before: calendar months back, end of month clamped. One row per failing case.
{% set cases = [
    ('2026-05-31 - 3 months clamps to 2026-02-28', '2026-05-31', 3, '2026-02-28'),
    ('2026-03-31 - 1 month clamps to 2026-02-28', '2026-03-31', 1, '2026-02-28'),
    ('2024-03-31 - 1 month clamps to the leap day 2024-02-29', '2024-03-31', 1, '2024-02-29'),
    ('2026-05-31 - 13 months clamps to 2025-04-30', '2026-05-31', 13, '2025-04-30'),
    ('2026-05-31 - 4 months is 2026-01-31', '2026-05-31', 4, '2026-01-31'),
    ('2026-05-31 - 6 months clamps to 2025-11-30', '2026-05-31', 6, '2025-11-30'),
    ('2026-05-31 - 24 months is 2024-05-31', '2026-05-31', 24, '2024-05-31'),
    ('2026-05-31 - 0 months is D', '2026-05-31', 0, '2026-05-31'),
    ('2026-02-28 - 3 months is 2025-11-28 (no end-of-month snap)', '2026-02-28', 3, '2025-11-28'),
    ('2024-02-29 - 12 months clamps to 2023-02-28', '2024-02-29', 12, '2023-02-28'),
    ('2026-01-15 - 1 month crosses the year to 2025-12-15', '2026-01-15', 1, '2025-12-15'),
] %}

with

cases as (
    {% for case_name, as_of, months, expected in cases %}
        select
            '{{ case_name }}' as case_name,
            cast('{{ expected }}' as date) as expected_on,
            {{ personas.months_before("cast('" ~ as_of ~ "' as date)", months) }} as actual_on
        {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

final as (
    select *
    from cases
    where not coalesce(actual_on = expected_on, false)
)

select * from final

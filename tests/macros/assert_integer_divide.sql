-- integer_divide: floor division of non-negative integers, exact and an integer (no floating
-- point). One row per failing case.
with

cases as (
    select cases.* from (
        values
        ('7 / 2 = 3', cast(7 as {{ dbt.type_bigint() }}), cast(2 as {{ dbt.type_bigint() }}), '3'),
        ('6 / 3 = 2', 6, 3, '2'),
        ('0 / 5 = 0', 0, 5, '0'),
        ('5 / 7 = 0', 5, 7, '0'),
        ('10 / 10 = 1', 10, 10, '1'),
        ('9 / 4 = 2', 9, 4, '2'),
        -- 2^53 + 1 is not a double: a floating-point division would return 9007199254740992.
        ('(2^53 + 1) / 1 stays exact', 9007199254740993, 1, '9007199254740993'),
        ('(2^54 + 3) / 2 stays exact', 18014398509481987, 2, '9007199254740993')
    ) as cases (case_name, numerator, denominator, expected_text)
),

computed as (
    select
        case_name,
        expected_text,
        -- As text: an integer prints without a decimal point, a double would not.
        cast({{ personas.integer_divide('numerator', 'denominator') }} as {{ dbt.type_string() }}) as actual_text
    from cases
),

final as (
    select * from computed
    where not coalesce(actual_text = expected_text, false)
)

select * from final

-- cents_to_money: integer cents back to a 2-decimal amount, exactly; and money_to_cents, its
-- inverse. One row per failing case.
with

cases as (
    select cases.* from (
        values
        ('1001 cents = 10.01', cast(1001 as {{ dbt.type_bigint() }}), '10.01'),
        ('0 cents = 0.00', 0, '0.00'),
        ('1 cent = 0.01', 1, '0.01'),
        ('99 cents = 0.99', 99, '0.99'),
        ('1000 cents = 10.00 (two decimals kept)', 1000, '10.00'),
        ('123456789012 cents = 1234567890.12', 123456789012, '1234567890.12'),
        -- Beyond 2^53: a floating-point division by 100 would lose the last cent.
        ('9007199254740993 cents stays exact', 9007199254740993, '90071992547409.93')
    ) as cases (case_name, cents, expected_text)
),

computed as (
    select
        case_name,
        expected_text,
        cast({{ personas.cents_to_money('cents') }} as {{ dbt.type_string() }}) as actual_text,
        cents,
        {{ personas.money_to_cents(personas.cents_to_money('cents')) }} as round_trip_cents
    from cases
),

final as (
    select
        case_name,
        expected_text,
        actual_text
    from computed
    where not coalesce(actual_text = expected_text, false)

    union all

    select
        {{ dbt.concat(["'round trip: '", 'case_name']) }} as case_name,
        cast(cents as {{ dbt.type_string() }}) as expected_text,
        cast(round_trip_cents as {{ dbt.type_string() }}) as actual_text
    from computed
    where not coalesce(round_trip_cents = cents, false)
)

select * from final

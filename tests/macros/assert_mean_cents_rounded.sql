-- mean_cents_rounded: the mean of cents, rounded half away from zero to a whole cent, in
-- integers; null when there is no row. One row per failing case.
with

cases as (
    select cases.* from (
        values
        ('3 purchases 10.00 + 10.00 + 10.01 = 10.0033 rounds to 10.00', 3001, 3, 1000),
        ('2 purchases 10.00 + 10.01 = 10.005 rounds half up to 10.01', 2001, 2, 1001),
        ('0.00 + 0.01 = 0.005 rounds half up to 0.01', 1, 2, 1),
        ('1 cent over 3 = 0.0033 rounds to 0.00', 1, 3, 0),
        ('2 cents over 3 = 0.0067 rounds to 0.01', 2, 3, 1),
        ('5 over 2 = 2.5 rounds to 3', 5, 2, 3),
        ('7 over 2 = 3.5 rounds to 4 (not to even)', 7, 2, 4),
        ('3 over 2 = 1.5 rounds to 2', 3, 2, 2),
        ('a single row is itself', 1234, 1, 1234),
        ('zero revenue is zero', 0, 5, 0),
        ('large sums stay exact', 999999999999999, 2, 500000000000000),
        ('no row: null', 0, 0, null)
    ) as cases (case_name, sum_cents, row_count, expected_cents)
),

computed as (
    select
        case_name,
        cast(expected_cents as {{ dbt.type_bigint() }}) as expected_cents,
        {{ personas.mean_cents_rounded(
            'cast(sum_cents as ' ~ dbt.type_bigint() ~ ')', 'row_count'
        ) }} as actual_cents
    from cases
),

-- As the models use it: over purchases, in money, back from cents.
purchases as (
    select purchases.* from (
        values
        ('three', cast('10.00' as decimal(18, 2))),
        ('three', cast('10.00' as decimal(18, 2))),
        ('three', cast('10.01' as decimal(18, 2))),
        ('two', cast('10.00' as decimal(18, 2))),
        ('two', cast('10.01' as decimal(18, 2)))
    ) as purchases (basket, order_total)
),

per_basket as (
    select
        basket,
        {{ personas.cents_to_money(personas.mean_cents_rounded(
            'sum(' ~ personas.money_to_cents('order_total') ~ ')', 'count(*)')) }} as mean_order_total
    from purchases
    group by basket
),

expected_baskets as (
    select expected_baskets.* from (
        values
        ('three', cast('10.00' as decimal(18, 2))),
        ('two', cast('10.01' as decimal(18, 2)))
    ) as expected_baskets (basket, expected_mean)
),

final as (
    select
        case_name,
        cast(expected_cents as {{ dbt.type_string() }}) as expected_value,
        cast(actual_cents as {{ dbt.type_string() }}) as actual_value
    from computed
    where
        not coalesce(actual_cents = expected_cents, false)
        and not (actual_cents is null and expected_cents is null)

    union all

    select
        {{ dbt.concat(["'mean order total of basket '", 'expected_baskets.basket']) }} as case_name,
        cast(expected_baskets.expected_mean as {{ dbt.type_string() }}) as expected_value,
        cast(per_basket.mean_order_total as {{ dbt.type_string() }}) as actual_value
    from expected_baskets
    left join per_basket
        on expected_baskets.basket = per_basket.basket
    where not coalesce(per_basket.mean_order_total = expected_baskets.expected_mean, false)
)

select * from final

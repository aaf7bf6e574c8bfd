-- Predicted purchases, value, churn and next order of every profile of the RFM population,
-- from the BG/NBD and Gamma-Gamma parameters of clv_model_fit (Python fit on DuckDB, var
-- clv_parameters elsewhere): the same SQL on every engine. Formulas: docs/predictions.md.
{%- set horizon = var('clv_horizon_days') %}
{%- if horizon is string or horizon is none or horizon | int != horizon or horizon < 1 %}
    {{- exceptions.raise_compiler_error("var clv_horizon_days must be a whole number of days >= 1, got " ~ horizon) }}
{%- endif %}
{%- set usable = "('fitted', 'from_var')" %}
{%- set max_next_order_days = 36500 %}
with

int_clv_customer_summary as (
    select * from {{ ref('int_clv_customer_summary') }}
    where is_in_rfm_population
),

clv_model_fit as (
    select * from {{ ref('clv_model_fit') }}
),

parameters as (
    select
        max(case when model_name = 'bg_nbd' and parameter_name = 'r' then parameter_value end) as r,
        max(case when model_name = 'bg_nbd' and parameter_name = 'alpha' then parameter_value end) as alpha,
        max(case when model_name = 'bg_nbd' and parameter_name = 'a' then parameter_value end) as a,
        max(case when model_name = 'bg_nbd' and parameter_name = 'b' then parameter_value end) as b,
        max(case when model_name = 'gamma_gamma' and parameter_name = 'p' then parameter_value end) as p,
        max(case when model_name = 'gamma_gamma' and parameter_name = 'q' then parameter_value end) as q,
        max(case when model_name = 'gamma_gamma' and parameter_name = 'v' then parameter_value end) as v,
        coalesce(max(case when model_name = 'bg_nbd' then fit_status end), 'no_fit') as bg_nbd_status,
        coalesce(max(case when model_name = 'gamma_gamma' then fit_status end), 'no_fit') as gamma_gamma_status
    from clv_model_fit
),

usable_parameters as (
    select
        parameters.*,
        parameters.bg_nbd_status in {{ usable }}
        and parameters.r > 0 and parameters.alpha > 0 and parameters.a > 0 and parameters.b > 0
            as has_bg_nbd,
        parameters.gamma_gamma_status in {{ usable }}
        and parameters.p > 0 and parameters.q > 1 and parameters.v > 0
            as has_gamma_gamma
    from parameters
),

-- The Gauss hypergeometric series of E[Y(t)] (Fader, Hardie & Lee 2005, eq. 10), in its
-- Euler-transformed form, depends on a customer through (x, T) only: summed once per distinct
-- pair. S = sum over k >= 1 of (A)_k (a)_(k-1) / ((C)_k k!) z^k with A = a + b - 1 - r,
-- C = a + b + x - 1 and z = t / (alpha + T + t); term k is the product of the factors 1..k,
-- computed as exp(running sum of their logarithms) with the sign counted apart.
series_distinct_pairs as (
    select distinct
        frequency,
        age_days
    from int_clv_customer_summary
),

series_pairs as (
    select
        pairs.frequency,
        pairs.age_days,
        usable_parameters.a + usable_parameters.b - 1 - usable_parameters.r as series_a,
        usable_parameters.a + usable_parameters.b + pairs.frequency - 1 as series_c,
        usable_parameters.a,
        ln({{ horizon }}) - ln(usable_parameters.alpha + pairs.age_days + {{ horizon }}) as log_z
    from series_distinct_pairs as pairs
    cross join usable_parameters
    where usable_parameters.has_bg_nbd
),

-- The integers 1 to 1000 (three cross-joined digit lists: no recursive CTE).
digits as (
    {%- for digit in range(10) %}
    select {{ digit }} as n{{ ' union all' if not loop.last }}
    {%- endfor %}
),

numbers as (
    select units.n + 10 * tens.n + 100 * hundreds.n + 1 as k
    from digits as units
    cross join digits as tens
    cross join digits as hundreds
),

-- Enough terms for the last one to be below e^-45 relative to the geometric decay z^k, plus
-- a margin, within the 1000 that numbers_1_to_1000 gives (the check below flags the rest).
series_lengths as (
    select
        series_pairs.*,
        least(1000, cast(ceil(45 / (-series_pairs.log_z)) as integer) + 20) as terms
    from series_pairs
),

series_factors as (
    select
        series_lengths.frequency,
        series_lengths.age_days,
        numbers.k,
        series_lengths.terms,
        ln(greatest(abs(series_lengths.series_a + numbers.k - 1), 1e-300))
        + case when numbers.k > 1 then ln(series_lengths.a + numbers.k - 2) else 0 end
        - ln(greatest(abs(series_lengths.series_c + numbers.k - 1), 1e-300))
        - ln(numbers.k)
        + series_lengths.log_z as log_factor,
        case
            when series_lengths.series_a + numbers.k - 1 < 0 then 1 else 0
        end
        + case
            when series_lengths.series_c + numbers.k - 1 < 0 then 1 else 0
        end as negative_factors
    from series_lengths
    inner join numbers
        on series_lengths.terms >= numbers.k
),

series_terms as (
    select
        frequency,
        age_days,
        k,
        terms,
        sum(log_factor) over (
            partition by frequency, age_days order by k rows between unbounded preceding and current row
        ) as log_term,
        sum(negative_factors) over (
            partition by frequency, age_days order by k rows between unbounded preceding and current row
        ) as negative_factors_so_far
    from series_factors
),

-- The sum runs in the order of k (a window, not a group by): a parallel aggregate adds the
-- terms in any order, and its last digits would change from one build to the next.
series_running_sums as (
    select
        frequency,
        age_days,
        k,
        terms,
        log_term,
        sum(
            case
                when log_term > -300
                    then
                        case when mod(negative_factors_so_far, 2) = 1 then -1 else 1 end
                        * {{ personas.safe_exp('log_term') }}
                else 0
            end
        ) over (
            partition by frequency, age_days order by k rows between unbounded preceding and current row
        ) as series_sum
    from series_terms
),

series_sums as (
    select
        frequency,
        age_days,
        series_sum,
        log_term as last_log_term,
        terms
    from series_running_sums
    where k = terms
),

customer_terms as (
    select
        customer_summary.profile_id,
        customer_summary.frequency,
        customer_summary.recency_days,
        customer_summary.age_days,
        customer_summary.repeat_monetary_value,
        usable_parameters.*,
        series_sums.series_sum,
        -- converged: the last term is negligible (e^-35 ~ 6e-16) beside the sum and beside 1
        coalesce(
            series_sums.last_log_term < -35
            or series_sums.last_log_term < ln(greatest(abs(series_sums.series_sum), 1e-300)) - 35,
            false
        ) as is_series_converged,
        -- ln((alpha + T) / (alpha + t_x)) and ln(1 - z) = ln((alpha + T) / (alpha + T + t))
        ln(usable_parameters.alpha + customer_summary.age_days)
        - ln(usable_parameters.alpha + customer_summary.recency_days) as log_age_over_recency,
        ln(usable_parameters.alpha + customer_summary.age_days)
        - ln(usable_parameters.alpha + customer_summary.age_days + {{ horizon }}) as log_one_minus_z
    from int_clv_customer_summary as customer_summary
    cross join usable_parameters
    left join series_sums
        on
            customer_summary.frequency = series_sums.frequency
            and customer_summary.age_days = series_sums.age_days
),

alive as (
    select
        customer_terms.*,
        case
            when not customer_terms.has_bg_nbd then null
            when customer_terms.frequency = 0 then cast(1 as {{ personas.type_double() }})
            else 1 / (1 + {{ personas.safe_exp(
                'ln(customer_terms.a) - ln(customer_terms.b + customer_terms.frequency - 1)'
                ~ ' + (customer_terms.r + customer_terms.frequency) * customer_terms.log_age_over_recency') }})
        end as probability_alive,
        -- (1 - (1 - z)^(a - 1)) / (a - 1), and its limit -ln(1 - z) at a = 1
        case
            when abs(customer_terms.a - 1) < 1e-9 then -customer_terms.log_one_minus_z
            else
                (1 - {{ personas.safe_exp('(customer_terms.a - 1) * customer_terms.log_one_minus_z') }})
                / (customer_terms.a - 1)
        end as leading_part
    from customer_terms
),

predicted as (
    select
        alive.*,
        case
            when alive.has_bg_nbd and alive.is_series_converged
                then
                    (alive.a + alive.b + alive.frequency - 1)
                    * (
                        alive.leading_part
                        - {{ personas.safe_exp('(alive.a - 1) * alive.log_one_minus_z') }} * alive.series_sum
                    )
                    * alive.probability_alive
        end as expected_purchases,
        case
            when alive.has_bg_nbd
                then
                    alive.probability_alive
                    * (1 - {{ personas.safe_exp('(alive.r + alive.frequency) * alive.log_one_minus_z') }})
        end as probability_of_purchase,
        -- the t with P(a purchase within t days) = 1/2, when P(alive) > 1/2
        case
            when alive.has_bg_nbd and alive.probability_alive > 0.5
                then
                    (alive.alpha + alive.age_days)
                    * (
                        {{ personas.safe_exp('-ln(1 - 0.5 / alive.probability_alive) / (alive.r + alive.frequency)') }}
                        - 1
                    )
        end as days_to_next_order,
        case
            when alive.has_gamma_gamma
                then
                    (alive.p * alive.v + alive.p * alive.frequency * coalesce(alive.repeat_monetary_value, 0))
                    / (alive.p * alive.frequency + alive.q - 1)
        end as expected_order_value
    from alive
),

final as (
    select
        profile_id,
        frequency,
        recency_days,
        age_days,
        repeat_monetary_value,
        probability_alive,
        expected_purchases,
        probability_of_purchase,
        expected_order_value,
        expected_purchases * expected_order_value as predicted_clv,
        case when days_to_next_order <= {{ max_next_order_days }} then days_to_next_order end
            as days_to_next_order,
        case
            when days_to_next_order <= {{ max_next_order_days }}
                then {{ personas.days_after(personas.as_of_date(), 'cast(ceil(days_to_next_order) as integer)') }}
        end as expected_next_order_on,
        {{ horizon }} as horizon_days,
        case
            when not has_bg_nbd then {{ dbt.concat(["'bg_nbd_'", 'bg_nbd_status']) }}
            when not is_series_converged then 'series_not_converged'
            when not has_gamma_gamma then {{ dbt.concat(["'gamma_gamma_'", 'gamma_gamma_status']) }}
            else 'predicted'
        end as prediction_status
    from predicted
)

select * from final

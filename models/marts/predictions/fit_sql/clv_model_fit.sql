-- The fitted parameters given as var clv_parameters, in the shape of the Python fit
-- (../fit_python/clv_model_fit.py): one row per (model, parameter). Built on PostgreSQL and
-- Spark, where dbt runs no Python models, and on DuckDB when the var is set. The parameters
-- come from the same Python code (scripts/fit_clv.py prints the var; docs/predictions.md).
-- Without the var every value is null and fit_status says so: the predictions are null too.
{%- set given = var('clv_parameters', none) or {} %}
{%- set models = [
    ('bg_nbd', ['r', 'alpha', 'a', 'b']),
    ('gamma_gamma', ['p', 'q', 'v']),
] %}
{%- set units = {'alpha': 'days', 'v': 'currency'} %}
{%- for model_name, names in models if model_name in given %}
    {%- for name in names %}
        {%- set value = given[model_name][name] if name in given[model_name] else none %}
        {%- if value is none or value is string or not (value | float > 0) %}
            {{- exceptions.raise_compiler_error(
                "var clv_parameters." ~ model_name ~ "." ~ name ~ " must be a positive number, got "
                ~ (value | string)) }}
        {%- endif %}
    {%- endfor %}
{%- endfor %}
with

int_clv_customer_summary as (
    select * from {{ ref('int_clv_customer_summary') }}
),

triples as (
    select
        frequency,
        recency_days,
        age_days,
        count(*) as customers
    from int_clv_customer_summary
    group by frequency, recency_days, age_days
),

spend_pairs as (
    select
        frequency,
        repeat_monetary_value,
        count(*) as customers
    from int_clv_customer_summary
    where frequency > 0 and repeat_monetary_value > 0
    group by frequency, repeat_monetary_value
),

bg_nbd_counts as (
    select
        count(*) as distinct_tuples,
        sum(customers) as customers
    from triples
),

gamma_gamma_counts as (
    select
        count(*) as distinct_tuples,
        sum(customers) as customers
    from spend_pairs
),

parameters as (
    {%- for model_name, names in models %}
        {%- set model_loop = loop %}
        {%- for name in names + ['log_likelihood'] %}
    select
        '{{ model_name }}' as model_name,
        '{{ name }}' as parameter_name,
        {%- if model_name in given and name in given[model_name] %}
        cast({{ given[model_name][name] | float }} as {{ personas.type_double() }}) as parameter_value,
        {%- else %}
        cast(null as {{ personas.type_double() }}) as parameter_value,
        {%- endif %}
        {%- if name in units %}
        '{{ units[name] }}' as parameter_unit,
        {%- else %}
        cast(null as {{ dbt.type_string() }}) as parameter_unit,
        {%- endif %}
        {%- if model_name in given %}
        'from_var' as fit_status,
        'parameters given by var clv_parameters, not fitted in this run' as fit_message
        {%- else %}
        'no_parameters' as fit_status,
        'no Python fit on this engine: set var clv_parameters.{{ model_name }} (docs/predictions.md)'
            as fit_message
        {%- endif %}
            {%- if not (model_loop.last and loop.last) %}
    union all
            {%- endif %}
        {%- endfor %}
    {%- endfor %}
),

final as (
    select
        parameters.model_name,
        parameters.parameter_name,
        parameters.parameter_value,
        parameters.parameter_unit,
        parameters.fit_status,
        parameters.fit_message,
        coalesce(case
            when parameters.model_name = 'bg_nbd' then bg_nbd_counts.customers
            else gamma_gamma_counts.customers
        end, 0) as customers,
        case
            when parameters.model_name = 'bg_nbd' then bg_nbd_counts.distinct_tuples
            else gamma_gamma_counts.distinct_tuples
        end as distinct_tuples
    from parameters
    cross join bg_nbd_counts
    cross join gamma_gamma_counts
)

select * from final

{#- numerator ÷ denominator as a decimal with `scale` places, rounded half away from zero,
    computed in integers (both operands non-negative integers). Null when the denominator is 0. -#}
{% macro exact_ratio(numerator, denominator, scale=4) -%}
    {{ return(adapter.dispatch('exact_ratio', 'personas')(numerator, denominator, scale)) }}
{%- endmacro %}

{% macro default__exact_ratio(numerator, denominator, scale) -%}
    {%- set factor = 10 ** scale -%}
    case
        when ({{ denominator }}) > 0
            then cast(
                cast({{ personas.integer_divide(
                    '2 * ' ~ factor ~ ' * cast(' ~ numerator ~ ' as ' ~ dbt.type_bigint() ~ ') + (' ~ denominator ~ ')',
                    '2 * (' ~ denominator ~ ')') }} as decimal(38, 0))
                * cast({{ '0.' ~ '0' * (scale - 1) ~ '1' }} as decimal({{ scale + 1 }}, {{ scale }}))
                as decimal({{ 18 }}, {{ scale }})
            )
    end
{%- endmacro %}

{#- The mean of a sum of non-negative cents over a count, rounded half away from zero to a
    whole cent, in integers: floor((2 × sum + count) / (2 × count)). Null when count is 0. -#}
{% macro mean_cents_rounded(sum_cents, row_count) -%}
    {{ return(adapter.dispatch('mean_cents_rounded', 'personas')(sum_cents, row_count)) }}
{%- endmacro %}

{% macro default__mean_cents_rounded(sum_cents, row_count) -%}
    case
        when ({{ row_count }}) > 0
            then {{ personas.integer_divide(
                '2 * (' ~ sum_cents ~ ') + (' ~ row_count ~ ')',
                '2 * (' ~ row_count ~ ')'
            ) }}
    end
{%- endmacro %}

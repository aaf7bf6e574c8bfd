{#- The catalog's RFM score from a rank() (1 = worst) in a population of n, exactly:
    min(5, 1 + floor(5 × (rank − 1) / (n − 1))), and 5 when n = 1. -#}
{% macro rfm_score(rank_column, population_size) -%}
    {{ return(adapter.dispatch('rfm_score', 'personas')(rank_column, population_size)) }}
{%- endmacro %}

{% macro default__rfm_score(rank_column, population_size) -%}
    case
        when {{ population_size }} = 1 then 5
        else least(5, 1 + {{ personas.integer_divide(
            '5 * (' ~ rank_column ~ ' - 1)', population_size ~ ' - 1') }})
    end
{%- endmacro %}

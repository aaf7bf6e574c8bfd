{#- Integer cents back to a decimal(18,2) amount, exactly (multiplication by a decimal 0.01,
    not a division, which DuckDB and Spark would do in floating point). -#}
{% macro cents_to_money(cents) -%}
    {{ return(adapter.dispatch('cents_to_money', 'personas')(cents)) }}
{%- endmacro %}

{% macro default__cents_to_money(cents) -%}
    cast(cast({{ cents }} as decimal(38, 0)) * cast(0.01 as decimal(3, 2)) as decimal(18, 2))
{%- endmacro %}

{#- A decimal(18,2) amount as integer cents, exactly: sums, means and rounding of money are
    done in integers (the catalog forbids binary floating point). -#}
{% macro money_to_cents(amount) -%}
    {{ return(adapter.dispatch('money_to_cents', 'personas')(amount)) }}
{%- endmacro %}

{% macro default__money_to_cents(amount) -%}
    cast(({{ amount }}) * 100 as {{ dbt.type_bigint() }})
{%- endmacro %}
